/**
 * The generated catalog the benches share (scripts/bench.ts, scripts/bench-http.ts): a fixed-seed PRNG, so
 * every run builds the same products, accounts and applications.
 */
import type { ProductFields } from "../../server/services/ordering/catalog";

// ---------------------------------------------------------------------------------------------
// Generated data: a fixed-seed PRNG, so every run builds the same catalog.

export function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
let current = prng(20261126);
export const random = () => current();
/** Starts the sequence again: the HTTP bench builds the same catalog whether or not the service bench ran first. */
export function reseed(seed = 20261126) {
  current = prng(seed);
}
export const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
export const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));

export interface Category {
  name: string;
  kinds: string[];
  specs: (() => string)[];
  makers: string[];
}

export const MAKERS: Record<string, string[]> = {
  "キーサイト・テクノロジー": ["DSOX", "MSOX", "E36", "N67", "U12", "33"],
  テクトロニクス: ["TBS", "MDO", "AFG", "DPO", "MSO"],
  横河計測: ["DL", "WT", "GS", "AQ"],
  日置電機: ["DT", "PW", "IR", "CM", "MR"],
  フルーク: ["87", "117", "1587", "TI", "376"],
  菊水電子工業: ["PMX", "PWR", "TOS", "PCR"],
  アンリツ: ["MS", "MT", "MG"],
  "リゴル・テクノロジーズ": ["DS", "DG", "DP", "RSA"],
  パナソニック: ["CF-", "FZ-", "PT-"],
  富士通: ["FMV", "LIFEBOOK U", "ESPRIMO D"],
  NEC: ["PC-VK", "PC-VKT", "PC-MKM"],
  エプソン: ["EB-", "EB-L", "EB-W"],
  トプコン: ["GT-", "LN-", "RL-H", "DS-"],
  "ニコン・トリンブル": ["NPL-", "NIVO", "FOCUS"],
  ライカジオシステムズ: ["DISTO D", "TS", "LS"],
  ヤンマー: ["YSG", "YDG"],
  デンヨー: ["GAW-", "DCA-", "GA-"],
  ホンダ: ["EU", "EB", "EX"],
  マキタ: ["MW", "TD", "HR"],
  トラスコ中山: ["TWS-", "TFP-", "UDS-"],
  オムロン: ["ZW-", "E3Z-", "K6PM-"],
  キーエンス: ["LK-G", "IV-", "VHX-"],
  CUSTOM: ["LX-", "M-", "CDM-"],
  新コスモス電機: ["XP-", "XA-", "KD-"],
};

const mhz = () => `帯域${pick([50, 70, 100, 200, 350, 500, 1000])}MHz`;
const ch = () => `${pick([2, 4, 8])}ch`;
const volts = () => `出力0-${pick([18, 30, 60, 80, 160])}V/${pick([1, 3, 5, 10, 20])}A`;
const weight = () => `質量${int(1, 40)}.${int(0, 9)}kg`;
const size = () => `${int(100, 900)}×${int(100, 900)}×${int(50, 600)}mm`;
const cpu = () =>
  `${pick(["Core i5", "Core i7", "Core Ultra 5", "Ryzen 5"])} メモリ${pick([8, 16, 32])}GB SSD${pick([256, 512])}GB`;
const power = () => `定格出力${pick([2.3, 2.8, 5.5, 9, 13, 25, 45])}kVA`;
const range = () => `測定範囲${pick([0.05, 0.2, 0.5])}〜${pick([40, 80, 100, 200])}m`;
const sample = () => `サンプリング${pick([1, 2, 5, 10])}GS/s`;

export const CATEGORIES: Category[] = [
  {
    name: "オシロスコープ",
    kinds: ["デジタルオシロスコープ", "ミックスドシグナルオシロスコープ", "ハンディオシロスコープ"],
    specs: [mhz, ch, sample],
    makers: ["キーサイト・テクノロジー", "テクトロニクス", "横河計測", "リゴル・テクノロジーズ"],
  },
  {
    name: "マルチメータ",
    kinds: ["デジタルマルチメータ", "ハンディマルチメータ", "ベンチトップマルチメータ"],
    specs: [() => `${pick([4, 5, 6])}½桁`, () => "真の実効値", weight],
    makers: ["フルーク", "日置電機", "キーサイト・テクノロジー", "横河計測"],
  },
  {
    name: "直流電源",
    kinds: ["直流安定化電源", "プログラマブル直流電源", "回生型直流電源"],
    specs: [volts, weight],
    makers: ["菊水電子工業", "キーサイト・テクノロジー", "リゴル・テクノロジーズ"],
  },
  {
    name: "信号発生器",
    kinds: ["ファンクションジェネレータ", "任意波形発生器", "信号発生器"],
    specs: [mhz, ch],
    makers: ["テクトロニクス", "キーサイト・テクノロジー", "アンリツ", "リゴル・テクノロジーズ"],
  },
  {
    name: "スペクトラムアナライザ",
    kinds: ["スペクトラムアナライザ", "シグナルアナライザ", "ハンドヘルドスペアナ"],
    specs: [() => `周波数${pick([3, 6, 13, 26, 44])}GHz`, weight],
    makers: ["アンリツ", "キーサイト・テクノロジー", "リゴル・テクノロジーズ"],
  },
  {
    name: "電力計",
    kinds: ["パワーアナライザ", "クランプ電力計", "電力品質アナライザ"],
    specs: [() => `${pick(["単相", "三相"])}${pick([2, 3, 4])}線`, weight],
    makers: ["日置電機", "横河計測", "フルーク"],
  },
  {
    name: "絶縁抵抗計",
    kinds: ["デジタル絶縁抵抗計", "アナログ絶縁抵抗計", "高電圧絶縁抵抗計"],
    specs: [() => `${pick([250, 500, 1000, 5000])}V`, weight],
    makers: ["日置電機", "フルーク"],
  },
  {
    name: "ノートPC",
    kinds: ["ノートパソコン", "タフネスノートPC", "モバイルノートPC"],
    specs: [cpu, () => `${pick([13.3, 14, 15.6])}型`],
    makers: ["パナソニック", "富士通", "NEC"],
  },
  { name: "デスクトップPC", kinds: ["デスクトップパソコン", "省スペースPC"], specs: [cpu], makers: ["富士通", "NEC"] },
  {
    name: "プロジェクター",
    kinds: ["液晶プロジェクター", "レーザープロジェクター", "短焦点プロジェクター"],
    specs: [() => `${pick([3300, 4000, 5200, 7000])}lm`, weight],
    makers: ["エプソン", "パナソニック"],
  },
  {
    name: "測量機",
    kinds: ["トータルステーション", "オートレベル", "回転レーザー", "3Dレーザースキャナー"],
    specs: [range, weight],
    makers: ["トプコン", "ニコン・トリンブル", "ライカジオシステムズ"],
  },
  {
    name: "レーザー距離計",
    kinds: ["レーザー距離計", "ハンディ距離計"],
    specs: [range],
    makers: ["ライカジオシステムズ", "マキタ"],
  },
  {
    name: "発電機",
    kinds: ["インバーター発電機", "防音型発電機", "溶接機兼用発電機"],
    specs: [power, weight],
    makers: ["ヤンマー", "デンヨー", "ホンダ"],
  },
  {
    name: "作業台",
    kinds: ["作業台", "軽量作業台", "昇降作業台", "三脚台"],
    specs: [size, weight, () => `耐荷重${pick([100, 300, 500, 1000])}kg`],
    makers: ["トラスコ中山", "マキタ"],
  },
  {
    name: "センサ",
    kinds: ["変位センサ", "光電センサ", "画像センサ", "デジタルマイクロスコープ"],
    specs: [range, () => `応答${pick([0.5, 1, 2, 5])}ms`],
    makers: ["オムロン", "キーエンス"],
  },
  {
    name: "ガス検知器",
    kinds: ["ガス検知器", "酸素濃度計", "可燃性ガス検知器"],
    specs: [() => `${pick(["O2", "CO", "H2S", "CH4"])}対応`, weight],
    makers: ["新コスモス電機"],
  },
  {
    name: "放射線測定器",
    kinds: ["放射線測定器", "GMサーベイメータ"],
    specs: [() => `${pick(["γ線", "β線"])}測定`],
    makers: ["CUSTOM"],
  },
  {
    name: "電動工具",
    kinds: ["インパクトドライバ", "ハンマドリル", "充電式ドリル"],
    specs: [() => `${pick([14.4, 18, 40])}V`, weight],
    makers: ["マキタ"],
  },
];

export function generateProducts(n: number): ProductFields[] {
  const seen = new Set<string>();
  const products: ProductFields[] = [];
  while (products.length < n) {
    const category = pick(CATEGORIES);
    const maker = pick(category.makers);
    const prefix = pick(MAKERS[maker] ?? ["X"]);
    const modelNo = `${prefix}${int(10, 99_999)}${pick(["", "", "A", "B", "G", "T", "-10", "-20", "E"])}`;
    if (seen.has(modelNo)) continue;
    seen.add(modelNo);
    const kind = pick(category.kinds);
    const spec = [pick(category.specs)(), pick(category.specs)()].join("、");
    products.push({
      modelNo,
      maker,
      name: `${kind} ${modelNo.slice(0, 6)}${random() < 0.2 ? "（中古）" : ""}`,
      category: category.name,
      specSummary: random() < 0.1 ? "" : spec,
      dailyPrice: int(5, 300) * 100,
      monthlyPrice: int(50, 3000) * 100,
    });
  }
  return products;
}

export const COMPANY_WORDS = [
  "アクメ",
  "東和",
  "日本",
  "関東",
  "富士",
  "大和",
  "北斗",
  "中央",
  "光",
  "三光",
  "新星",
  "青葉",
];
export const COMPANY_KINDS = ["計測", "電機", "工業", "建設", "技研", "システム", "エンジニアリング", "商事"];
