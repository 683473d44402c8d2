// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import {AggregatorV3Interface} from "../AggregatorV3Interface.sol";

/// TEST ONLY: a protocol reading the SYI the way lending markets read Chainlink feeds.
contract SyiFeedConsumer {
  AggregatorV3Interface public immutable feed;

  error StaleFeed(uint256 updatedAt, uint256 maxAgeS);

  constructor(AggregatorV3Interface feed_) {
    feed = feed_;
  }

  /// The SYI in percent × 10^decimals and its time, refusing a value older than maxAgeS.
  function readSyi(uint256 maxAgeS) external view returns (int256 answer, uint256 updatedAt, uint80 roundId, uint8 decimals) {
    uint80 answeredInRound;
    (roundId, answer, , updatedAt, answeredInRound) = feed.latestRoundData();
    if (answeredInRound < roundId || block.timestamp - updatedAt > maxAgeS) revert StaleFeed(updatedAt, maxAgeS);
    decimals = feed.decimals();
  }
}
