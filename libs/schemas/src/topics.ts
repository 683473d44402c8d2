import {
  ccOrderbookSchema,
  ccPriceSchema,
  dlApySchema,
  exMktcapSchema,
  pythPriceSchema,
  pythUpdateSchema,
  rayCalculatedSchema,
  syiCalculatedSchema,
  syiLiquiditySchema,
  syiPegSchema,
  tradTbillSchema,
  type AvroSchema,
} from './avro';

/** The value schema of every data topic of the catalog (DLQ topics carry the raw rejected bytes). */
export const VALUE_SCHEMAS: Readonly<Record<string, AvroSchema>> = Object.freeze({
  'pyth.updates': pythUpdateSchema,
  'pyth.prices': pythPriceSchema,
  'cc.prices': ccPriceSchema,
  'cc.orderbook': ccOrderbookSchema,
  'dl.apy': dlApySchema,
  'ex.mktcap': exMktcapSchema,
  'trad.tbill': tradTbillSchema,
  'syi.peg': syiPegSchema,
  'syi.liquidity': syiLiquiditySchema,
  'ray.calculated': rayCalculatedSchema,
  'syi.calculated': syiCalculatedSchema,
});
