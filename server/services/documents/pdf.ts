import PDFDocument from "pdfkit";
import { formatDate } from "../../lib/format";
import { yen } from "../ordering/pricing";
import type { DocumentData } from "./data";
import { documentFonts } from "./fonts";

/**
 * A 見積書 / 注文請書 as an A4 PDF laid out as Japanese business documents are (ADR 023): the title; number and
 * date top right; the customer (御中) top left with the total; the issuer (name, address, phone, 登録番号) top
 * right; the document's details; the lines (No., 型番・品名, 数量, 単価, 金額, 税率) with the header repeated on
 * every page; 小計 / 消費税 per rate / 合計 and the breakdown per rate; notes; "page / pages" at the foot.
 * Text in BIZ UDGothic, subset-embedded with a ToUnicode map (the text can be searched and copied).
 */

const PAGE = { width: 595.28, height: 841.89 };
const LEFT = 40;
const RIGHT = PAGE.width - 40;
const WIDTH = RIGHT - LEFT;
/** Lines stop here; the foot (page numbers) is below. */
const BOTTOM = PAGE.height - 56;
const INK = "#111111";
const RULE = "#555555";
const SHADE = "#e9edf2";

interface Column {
  header: string;
  width: number;
  align: "left" | "right" | "center";
}
const COLUMNS: Column[] = [
  { header: "No.", width: 28, align: "center" },
  { header: "型番・品名", width: 231.28, align: "left" },
  { header: "数量", width: 44, align: "right" },
  { header: "単価", width: 90, align: "right" },
  { header: "金額", width: 86, align: "right" },
  { header: "税率", width: 36, align: "center" },
];
const PAD = 4;
const ROW_MIN = 20;

type Doc = PDFKit.PDFDocument;

export function renderDocumentPdf(data: DocumentData): Promise<Buffer> {
  const fonts = documentFonts();
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: "A4",
      margins: { top: 40, bottom: 40, left: LEFT, right: PAGE.width - RIGHT },
      bufferPages: true,
      lang: "ja-JP",
      displayTitle: true,
      info: {
        Title: `${data.title} ${data.number}`,
        Author: data.issuer.name,
        Subject: `${data.customer.company} 御中`,
        CreationDate: new Date(data.issuedAt),
      },
    });
    const chunks: Buffer[] = [];
    doc.on("data", (c: Buffer) => chunks.push(c));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
    try {
      doc.registerFont("JP", fonts.regular);
      doc.registerFont("JP-Bold", fonts.bold);
      doc.fillColor(INK).strokeColor(RULE).lineWidth(0.6);
      let y = head(doc, data);
      y = linesTable(doc, data, y);
      y = totals(doc, data, y);
      notes(doc, data, y);
      foot(doc, data);
      doc.end();
    } catch (error) {
      reject(error);
    }
  });
}

/** Title, number and date, customer and total, issuer, details. Returns where the lines start. */
function head(doc: Doc, d: DocumentData): number {
  doc.font("JP").fontSize(9);
  doc.text(`No. ${d.number}`, LEFT, 40, { width: WIDTH, align: "right" });
  doc.text(`発行日 ${formatDate(d.issuedOn)}`, LEFT, 53, { width: WIDTH, align: "right" });
  doc.font("JP-Bold").fontSize(20).text(d.title, LEFT, 72, { width: WIDTH, align: "center", characterSpacing: 8 });

  // The customer, top left.
  const leftWidth = 270;
  let y = 120;
  doc.font("JP-Bold").fontSize(13).text(`${d.customer.company} 御中`, LEFT, y, { width: leftWidth });
  y = doc.y + 2;
  doc
    .moveTo(LEFT, y)
    .lineTo(LEFT + leftWidth, y)
    .stroke();
  y += 5;
  if (d.customer.person) {
    doc.font("JP").fontSize(10).text(`${d.customer.person} 様`, LEFT, y, { width: leftWidth });
    y = doc.y + 6;
  }
  doc.font("JP").fontSize(9.5).text(d.lead, LEFT, y, { width: leftWidth });
  y = doc.y + 10;
  if (d.money.complete) {
    doc.rect(LEFT, y, leftWidth, 26).fillAndStroke(SHADE, RULE).fillColor(INK);
    doc
      .font("JP-Bold")
      .fontSize(12)
      .text(d.totalLabel, LEFT + 8, y + 7, { width: 110, lineBreak: false });
    doc.text(`${yen(d.money.total)}(税込)`, LEFT + 100, y + 7, { width: leftWidth - 108, align: "right" });
    y += 34;
  }

  // The issuer, top right.
  const ix = 340;
  const iw = RIGHT - ix;
  let iy = 120;
  doc.font("JP-Bold").fontSize(11).text(d.issuer.name, ix, iy, { width: iw });
  iy = doc.y + 3;
  doc.font("JP").fontSize(8.5);
  for (const line of [
    d.issuer.address,
    `TEL ${d.issuer.phone}`,
    d.issuer.registrationNumber ? `登録番号 ${d.issuer.registrationNumber}` : null,
  ]) {
    if (!line) continue;
    doc.text(line, ix, iy, { width: iw });
    iy = doc.y + 1;
  }

  // Details: label and value, under the customer.
  let dy = Math.max(y, iy + 8);
  doc.fontSize(9);
  for (const { label, value } of d.details) {
    doc.font("JP-Bold").text(label, LEFT, dy, { width: 80, lineBreak: false });
    doc.font("JP").text(value, LEFT + 84, dy, { width: WIDTH - 84 });
    dy = doc.y + 3;
  }
  return dy + 10;
}

function rowHeight(doc: Doc, cells: string[]): number {
  doc.font("JP").fontSize(9);
  let h = ROW_MIN;
  cells.forEach((text, i) => {
    const c = COLUMNS[i] as Column;
    h = Math.max(h, doc.heightOfString(text, { width: c.width - 2 * PAD }) + 2 * 6);
  });
  return h;
}

function drawRow(doc: Doc, cells: string[], y: number, h: number, header: boolean) {
  let x = LEFT;
  if (header) doc.rect(LEFT, y, WIDTH, h).fillAndStroke(SHADE, RULE).fillColor(INK);
  doc.font(header ? "JP-Bold" : "JP").fontSize(9);
  cells.forEach((text, i) => {
    const c = COLUMNS[i] as Column;
    doc.rect(x, y, c.width, h).stroke();
    doc.text(text, x + PAD, y + 6, { width: c.width - 2 * PAD, align: header ? "center" : c.align });
    x += c.width;
  });
}

/** The lines; a page that is full gets a new one, whose table starts with the header again. */
function linesTable(doc: Doc, d: DocumentData, top: number): number {
  const headers = COLUMNS.map((c) => c.header);
  let y = top;
  drawRow(doc, headers, y, ROW_MIN, true);
  y += ROW_MIN;
  for (const l of d.lines) {
    const cells = [
      String(l.lineNo),
      [l.modelNo, l.productName].filter(Boolean).join(" "),
      l.quantity.toLocaleString("ja-JP"),
      l.unitPriceLabel,
      l.amount === null ? "—" : yen(l.amount),
      l.taxRatePercent === null ? "—" : `${l.taxRatePercent}%`,
    ];
    const h = rowHeight(doc, cells);
    if (y + h > BOTTOM) {
      doc.addPage();
      y = 40;
      doc.font("JP").fontSize(8.5).text(`${d.title} ${d.number}(続き)`, LEFT, y, { width: WIDTH });
      y = doc.y + 6;
      drawRow(doc, headers, y, ROW_MIN, true);
      y += ROW_MIN;
    }
    drawRow(doc, cells, y, h, false);
    y += h;
  }
  return y + 10;
}

/** 小計, 消費税 per rate, 合計 on the right; the breakdown per rate (適格請求書 style) under them. */
function totals(doc: Doc, d: DocumentData, top: number): number {
  if (!d.money.complete) return top;
  const rows: [string, string, boolean][] = [
    ["小計", yen(d.money.subtotal), false],
    ...d.money.taxes.map((t): [string, string, boolean] => [`消費税(${t.ratePercent}%)`, yen(t.tax), false]),
    [d.money.estimate ? "合計(概算)" : "合計", yen(d.money.total), true],
  ];
  const breakdown = d.money.taxes.map((t) => `内訳 ${t.ratePercent}%対象 ${yen(t.taxable)}(消費税 ${yen(t.tax)})`);
  const needed = rows.length * ROW_MIN + 16 + breakdown.length * 13;
  let y = top;
  if (y + needed > BOTTOM) {
    doc.addPage();
    y = 40;
  }
  const x = RIGHT - 230;
  for (const [label, value, strong] of rows) {
    if (strong) doc.rect(x, y, 230, ROW_MIN).fillAndStroke(SHADE, RULE).fillColor(INK);
    else doc.rect(x, y, 230, ROW_MIN).stroke();
    doc
      .moveTo(x + 110, y)
      .lineTo(x + 110, y + ROW_MIN)
      .stroke();
    doc.font(strong ? "JP-Bold" : "JP").fontSize(9.5);
    doc.text(label, x + PAD, y + 5, { width: 110 - 2 * PAD, lineBreak: false });
    doc.text(value, x + 110 + PAD, y + 5, { width: 120 - 2 * PAD, align: "right", lineBreak: false });
    y += ROW_MIN;
  }
  y += 6;
  doc.font("JP").fontSize(8.5);
  for (const line of breakdown) {
    doc.text(line, x, y, { width: 230, align: "right" });
    y = doc.y + 1;
  }
  doc.text("消費税は税率ごとの合計から計算し、1円未満を切り捨てています。", LEFT, y + 4, { width: WIDTH });
  return doc.y + 12;
}

function notes(doc: Doc, d: DocumentData, top: number) {
  let y = top;
  for (const { label, text } of d.notes) {
    doc.font("JP").fontSize(9);
    const h = doc.heightOfString(text, { width: WIDTH - 16 }) + 28;
    if (y + h > BOTTOM) {
      doc.addPage();
      y = 40;
    }
    doc.font("JP-Bold").fontSize(9.5).text(label, LEFT, y, { width: WIDTH });
    y = doc.y + 3;
    const boxTop = y;
    doc
      .font("JP")
      .fontSize(9)
      .text(text, LEFT + 8, y + 6, { width: WIDTH - 16 });
    y = doc.y + 6;
    doc.rect(LEFT, boxTop, WIDTH, y - boxTop).stroke();
    y += 10;
  }
}

/** "見積書 Q-2026-000123  1 / 2" at the foot of every page (the pages are buffered until the end). */
function foot(doc: Doc, d: DocumentData) {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Writing below the bottom margin would start a new page: lift the margin for the foot.
    const margin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font("JP")
      .fontSize(8)
      .fillColor("#444444")
      .text(`${d.title} ${d.number}  ${i - range.start + 1} / ${range.count}`, LEFT, PAGE.height - 32, {
        width: WIDTH,
        align: "center",
        lineBreak: false,
      });
    doc.page.margins.bottom = margin;
  }
}
