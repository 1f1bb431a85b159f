import { describe, it, expect } from "vitest";
import { parseRating } from "../../bot/nlu/rating.js";

describe("parseRating", () => {
  it.each<[string, number]>([
    ["4", 4],
    [" 3 ", 3],
    ["3!", 3],
    ["4.", 4],
    ["fire", 4],
    ["Fem!", 5],
    ["4/5", 4],
    ["4 / 5", 4],
    ["4 ud af 5", 4],
    ["fire ud af fem", 4],
    ["5/5", 5],
    ["⭐⭐⭐⭐", 4],
    ["⭐️⭐️⭐️", 3],
    ["★★☆☆☆", 2],
    ["4 ⭐", 4],
    ["4️⃣", 4],
    ["en 4'er", 4],
    ["en 4er", 4],
    ["et 4-tal", 4],
    ["en firer", 4],
    ["en klar femmer", 5],
    ["5 stjerner", 5],
    ["4 stjerner", 4],
    ["én stjerne", 1],
    ["karakter 4", 4],
    ["giver det en 4", 4],
    ["jeg giver mødet 3", 3],
    ["1 - dårligt", 1],
    ["3, men for lang pause", 3],
    ["5 fordi oplæggene var gode", 5],
    ["5 meget godt", 5],
    ["godt møde, 4", 4],
    ["4 helt klart", 4],
  ])("reads %j as %i", (text, rating) => {
    expect(parseRating(text)).toBe(rating);
  });

  it.each([
    "6",
    "0",
    "10",
    "10/10",
    "8/10",
    "7 ud af 10",
    "4 eller 5",
    "3-4",
    "4,5",
    "4 stjerner men maden var en 2'er",
    "4?",
    "ja",
    "godt",
    "hvornår er næste møde",
    "d. 14/3",
    "kl 4",
    "jeg har 3 spørgsmål",
    "2 børn",
    "vi var 4 fra min vej",
    "5 min forsinket",
  ])("gives no rating for %j", (text) => {
    expect(parseRating(text)).toBeNull();
  });
});
