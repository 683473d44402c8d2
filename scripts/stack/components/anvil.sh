#!/usr/bin/env bash
# anvil (local EVM, chain 31337) with MockPyth and the SYI feed (contracts/SyiFeed.sol) deployed. State
# is in memory, so every start redeploys and rewrites $STACK_DIR/anvil/contract.env (CONTRACT_ADDRESS,
# CHAIN_ID, SYI_FEED_ADDRESS). A running anvil that lacks one of them gets only the missing one.
#   ANVIL_BLOCK_TIME=N   mine every N seconds instead of on every transaction (automine, the default)
# The deployer is the first account of anvil's public test mnemonic: a LOCAL-ONLY dev key.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../env.sh
. "$here/env.sh"

# The native binary of @foundry-rs/anvil: its node wrapper (.bin/anvil) would be the recorded pid,
# and a kill -9 of the wrapper would orphan the real node.
ANVIL_BIN=$(find "$STACK_ROOT"/node_modules/@foundry-rs -path "*/anvil-*/bin/anvil" -type f 2>/dev/null | head -1)
ANVIL_BIN=${ANVIL_BIN:-$STACK_ROOT/node_modules/.bin/anvil}
ANVIL_CHAIN_ID=${ANVIL_CHAIN_ID:-31337}
# anvil's well-known public test mnemonic (its default); never use it outside a local chain.
ANVIL_MNEMONIC=${ANVIL_MNEMONIC:-"test test test test test test test test test test test junk"}
ANVIL_BLOCK_TIME=${ANVIL_BLOCK_TIME:-}
ANVIL_URL=http://127.0.0.1:$ANVIL_PORT
CONTRACT_ENV=$STACK_DIR/anvil/contract.env

rpc() { # rpc METHOD [PARAMS_JSON] → prints the JSON response
  curl -sf -m 2 -H 'content-type: application/json' \
    -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":${2:-[]}}" "$ANVIL_URL"
}
chain_ok() { rpc eth_chainId | grep -q '"result"'; }
contract_address() { [ -f "$CONTRACT_ENV" ] && sed -n 's/^CONTRACT_ADDRESS=//p' "$CONTRACT_ENV"; }
contract_ok() { # MockPyth answers getValidTimePeriod() (selector 0xe18910a3) at the recorded address
  local addr; addr=$(contract_address) || return 1; [ -n "$addr" ] || return 1
  rpc eth_call "[{\"to\":\"$addr\",\"data\":\"0xe18910a3\"},\"latest\"]" | grep -q '"result":"0x0'
}
syi_feed_address() { [ -f "$CONTRACT_ENV" ] && sed -n 's/^SYI_FEED_ADDRESS=//p' "$CONTRACT_ENV"; }
syi_feed_ok() { # SyiFeed answers decimals() (selector 0x313ce567) = 8 at the recorded address
  local addr; addr=$(syi_feed_address) || return 1; [ -n "$addr" ] || return 1
  rpc eth_call "[{\"to\":\"$addr\",\"data\":\"0x313ce567\"},\"latest\"]" | grep -q '"result":"0x0*8"'
}

# The local keeper's wallet key: account 0 of the public test mnemonic, DERIVED here with viem (never a
# literal in git), mode 600, for PRIVATE_KEY_FILE=$STACK_DIR/anvil/dev-key.
write_dev_key() {
  local key=$STACK_DIR/anvil/dev-key
  mkdir -p "$STACK_DIR/anvil"
  (umask 077 && cd "$STACK_ROOT" && env -i PATH="$PATH" HOME="$HOME" MNEMONIC="$ANVIL_MNEMONIC" "$STACK_ROOT/node_modules/.bin/tsx" -e \
    "import { mnemonicToAccount } from 'viem/accounts'; import { toHex } from 'viem'; process.stdout.write(toHex(mnemonicToAccount(process.env.MNEMONIC).getHdKey().privateKey))" \
    >"$key.tmp") && chmod 600 "$key.tmp" && mv "$key.tmp" "$key"
}

case "${1:-status}" in
  install)
    [ -x "$ANVIL_BIN" ] || { echo "anvil missing: run npm install at $STACK_ROOT (@foundry-rs/anvil)" >&2; exit 1; } ;;
  start)
    write_dev_key || { echo "could not derive the dev key" >&2; exit 1; }
    if pid_alive anvil && chain_ok && contract_ok && syi_feed_ok; then exit 0; fi
    if ! pid_alive anvil; then
      mkdir -p "$STACK_DIR/anvil"; rm -f "$CONTRACT_ENV"
      args=(--host 127.0.0.1 --port "$ANVIL_PORT" --chain-id "$ANVIL_CHAIN_ID" --mnemonic "$ANVIL_MNEMONIC")
      [ -n "$ANVIL_BLOCK_TIME" ] && args+=(--block-time "$ANVIL_BLOCK_TIME")
      nohup "$ANVIL_BIN" "${args[@]}" >>"$STACK_LOGS/anvil.log" 2>&1 &
      echo $! >"$STACK_PIDS/anvil.pid"
    fi
    wait_for "anvil on :$ANVIL_PORT" 30 chain_ok
    # A clean environment: the deploys see only what they need. MockPyth first (a fresh chain puts it
    # at the same address every time), then the SYI feed, whose updater is the keeper's dev account.
    if ! contract_ok; then
      (cd "$STACK_ROOT" && env -i PATH="$PATH" HOME="$HOME" RPC_URL="$ANVIL_URL" DEPLOYER_MNEMONIC="$ANVIL_MNEMONIC" \
        CONTRACT_ENV_PATH="$CONTRACT_ENV" SOLC_CACHE_DIR="$STACK_CACHE/solc" \
        "$STACK_ROOT/node_modules/.bin/tsx" libs/chain/src/deploy/cli.ts) >>"$STACK_LOGS/anvil.log" 2>&1 \
        || { echo "MockPyth deployment failed; see $STACK_LOGS/anvil.log" >&2; exit 1; }
      wait_for "MockPyth at $(contract_address)" 10 contract_ok
    fi
    if ! syi_feed_ok; then
      (cd "$STACK_ROOT" && env -i PATH="$PATH" HOME="$HOME" RPC_URL="$ANVIL_URL" DEPLOYER_MNEMONIC="$ANVIL_MNEMONIC" \
        CONTRACT_ENV_PATH="$CONTRACT_ENV" SOLC_CACHE_DIR="$STACK_CACHE/solc" \
        "$STACK_ROOT/node_modules/.bin/tsx" libs/chain/src/deploy/syi-feed-cli.ts) >>"$STACK_LOGS/anvil.log" 2>&1 \
        || { echo "SyiFeed deployment failed; see $STACK_LOGS/anvil.log" >&2; exit 1; }
      wait_for "SyiFeed at $(syi_feed_address)" 10 syi_feed_ok
    fi ;;
  stop)
    stop_pid anvil; rm -f "$CONTRACT_ENV" ;;
  status)
    if pid_alive anvil && chain_ok && contract_ok && syi_feed_ok; then
      echo "up (http://127.0.0.1:$ANVIL_PORT chain $ANVIL_CHAIN_ID, MockPyth $(contract_address), SyiFeed $(syi_feed_address))"
    else
      echo down; exit 1
    fi ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
