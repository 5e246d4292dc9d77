import { z } from "zod";
import { id } from "./shared";

/** Input pieces shared by the ordering routers (applications, templates, rentals). */
export const kind = z.enum(["quote", "order"]);
export const text = (max: number) => z.string().max(max * 4);
export const delivery = z.object({
  company: text(100),
  department: text(100),
  person: text(50),
  postalCode: text(8),
  address: text(200),
  building: text(100),
  phone: text(20),
});

export const applicationInput = z.object({
  kind,
  lines: z.array(z.object({ productId: id, quantity: z.number() })).max(100),
  startDate: z.string().max(10),
  periodUnit: z.enum(["day", "month"]),
  period: z.number(),
  delivery,
  notes: text(1000),
  poNumber: text(50),
  idempotencyKey: z.string().max(64),
});

export const cancellationInput = z.object({
  rentalId: id,
  mode: z.enum(["all", "partial"]),
  quantities: z.record(z.string(), z.number()),
  returnDate: z.string().max(10),
  notes: text(1000),
  idempotencyKey: z.string().max(64),
});
