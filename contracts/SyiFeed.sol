// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import {AggregatorV3Interface} from "./AggregatorV3Interface.sol";

/// The StableYield Index (SYI) as a Chainlink-compatible feed (docs/keeper.md, "The SYI feed").
///
/// `answer` is the SYI in percent × 10^8 (8 decimals: 2.81 % is 281000000); `updatedAt` and
/// `startedAt` are the index time T of the record in seconds; `answeredInRound` is `roundId`.
/// Per round the feed also keeps the RPL (SYI − T-bill, percent × 10^8, RPL_NONE when the record has
/// no T-bill rate) and the record's `inputsDigest` and `digest`, and emits one SyiPublished event.
///
/// Only the updater (set by the owner) publishes; T increases strictly, so a replayed older record
/// cannot roll the feed back; an answer outside [minAnswer, maxAnswer] (fixed at deployment) reverts.
contract SyiFeed is AggregatorV3Interface {
  struct Round {
    int256 answer;
    int256 rpl;
    uint64 updatedAt;
    bytes32 inputsDigest;
    bytes32 digest;
  }

  /// The RPL of a record without a T-bill rate.
  int256 public constant RPL_NONE = type(int256).min;

  uint8 private constant DECIMALS = 8;
  uint256 private constant VERSION = 1;

  int256 public immutable minAnswer;
  int256 public immutable maxAnswer;
  address public owner;
  address public updater;
  uint80 public latestRound;
  string private feedDescription;
  mapping(uint80 => Round) private rounds;

  event SyiPublished(
    uint80 indexed roundId,
    int256 answer,
    int256 rpl,
    uint256 updatedAt,
    bytes32 inputsDigest,
    bytes32 digest
  );
  event UpdaterChanged(address indexed previousUpdater, address indexed newUpdater);
  event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

  error NotOwner(address sender);
  error NotUpdater(address sender);
  error ZeroAddress();
  error InvalidBand(int256 minAnswer, int256 maxAnswer);
  error AnswerOutOfBand(int256 answer, int256 minAnswer, int256 maxAnswer);
  error StaleRound(uint256 updatedAt, uint256 latestUpdatedAt);
  error NoDataPresent();

  modifier onlyOwner() {
    if (msg.sender != owner) revert NotOwner(msg.sender);
    _;
  }

  constructor(string memory description_, int256 minAnswer_, int256 maxAnswer_, address updater_) {
    if (minAnswer_ >= maxAnswer_) revert InvalidBand(minAnswer_, maxAnswer_);
    if (updater_ == address(0)) revert ZeroAddress();
    feedDescription = description_;
    minAnswer = minAnswer_;
    maxAnswer = maxAnswer_;
    owner = msg.sender;
    updater = updater_;
    emit OwnershipTransferred(address(0), msg.sender);
    emit UpdaterChanged(address(0), updater_);
  }

  function decimals() external pure override returns (uint8) {
    return DECIMALS;
  }

  function description() external view override returns (string memory) {
    return feedDescription;
  }

  function version() external pure override returns (uint256) {
    return VERSION;
  }

  function getRoundData(uint80 _roundId)
    public
    view
    override
    returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
  {
    Round storage r = rounds[_roundId];
    if (r.updatedAt == 0) revert NoDataPresent();
    return (_roundId, r.answer, r.updatedAt, r.updatedAt, _roundId);
  }

  function latestRoundData()
    external
    view
    override
    returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
  {
    return getRoundData(latestRound);
  }

  /// What a round holds besides the Chainlink fields.
  function getRoundDetails(uint80 _roundId)
    external
    view
    returns (int256 answer, int256 rpl, uint256 updatedAt, bytes32 inputsDigest, bytes32 digest)
  {
    Round storage r = rounds[_roundId];
    if (r.updatedAt == 0) revert NoDataPresent();
    return (r.answer, r.rpl, r.updatedAt, r.inputsDigest, r.digest);
  }

  /// T of the latest round in seconds (0 before the first): the keeper never publishes at or below it.
  function latestTimestamp() external view returns (uint256) {
    return rounds[latestRound].updatedAt;
  }

  /// One SYI record as a new round.
  function publish(int256 answer, int256 rpl, uint64 updatedAt, bytes32 inputsDigest, bytes32 digest)
    external
    returns (uint80 roundId)
  {
    if (msg.sender != updater) revert NotUpdater(msg.sender);
    if (answer < minAnswer || answer > maxAnswer) revert AnswerOutOfBand(answer, minAnswer, maxAnswer);
    uint64 latestUpdatedAt = rounds[latestRound].updatedAt;
    if (updatedAt <= latestUpdatedAt) revert StaleRound(updatedAt, latestUpdatedAt);
    roundId = latestRound + 1;
    rounds[roundId] = Round(answer, rpl, updatedAt, inputsDigest, digest);
    latestRound = roundId;
    emit SyiPublished(roundId, answer, rpl, updatedAt, inputsDigest, digest);
  }

  function setUpdater(address newUpdater) external onlyOwner {
    if (newUpdater == address(0)) revert ZeroAddress();
    emit UpdaterChanged(updater, newUpdater);
    updater = newUpdater;
  }

  function transferOwnership(address newOwner) external onlyOwner {
    if (newOwner == address(0)) revert ZeroAddress();
    emit OwnershipTransferred(owner, newOwner);
    owner = newOwner;
  }
}
