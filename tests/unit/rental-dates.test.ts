import { describe, expect, it } from "vitest";
import { daysBetween, plannedEndDate } from "../../server/services/ordering/rentals";

describe("返却予定日", () => {
  it("adds days across months and years", () => {
    expect(plannedEndDate("2026-11-26", "day", 3)).toBe("2026-11-29");
    expect(plannedEndDate("2026-12-30", "day", 5)).toBe("2027-01-04");
  });
  it("adds months, ending on the month's last day when the start day is missing from it", () => {
    expect(plannedEndDate("2026-11-26", "month", 3)).toBe("2027-02-26");
    expect(plannedEndDate("2027-01-31", "month", 1)).toBe("2027-02-28");
    expect(plannedEndDate("2028-01-31", "month", 1)).toBe("2028-02-29");
    expect(plannedEndDate("2026-08-31", "month", 6)).toBe("2027-02-28");
  });
  it("counts whole days between dates", () => {
    expect(daysBetween("2026-11-26", "2026-11-29")).toBe(3);
    expect(daysBetween("2026-11-29", "2026-11-26")).toBe(-3);
    expect(daysBetween("2026-03-28", "2026-04-02")).toBe(5);
  });
});
