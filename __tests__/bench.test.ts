import { median } from "../scripts/bench";

describe("bench", () => {
  it("reports medians of odd and even run counts", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
