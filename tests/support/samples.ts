import type { ProductFields } from "../../server/services/ordering/catalog";
/** The お届け先 most tests deliver to: a complete, valid delivery address. */
export const DELIVERY = {
  company: "アクメ計測株式会社",
  department: "品質保証部",
  person: "山田 太郎",
  postalCode: "105-0011",
  address: "東京都港区芝公園4-2-8",
  building: "",
  phone: "03-1234-5678",
};

/** A catalog product with its model number and name; the rest as `extra` says, else a Keysight oscilloscope's. */
export function sampleProduct(modelNo: string, name: string, extra: Partial<ProductFields> = {}): ProductFields {
  return {
    modelNo,
    maker: "キーサイト・テクノロジー",
    name,
    category: "オシロスコープ",
    specSummary: "",
    dailyPrice: 1000,
    monthlyPrice: 10000,
    ...extra,
  };
}
