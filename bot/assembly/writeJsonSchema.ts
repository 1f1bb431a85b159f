import { writeFile } from "node:fs/promises";
import { z } from "zod";
import { assemblySchema } from "./schema.js";

/** `npm run schema`: publishes the assembly file's JSON Schema, so editors can check the file. */
const OUT_FILE = "data/assembly.schema.json";

export function assemblyJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(assemblySchema, { io: "input", unrepresentable: "any" }),
    title: "borgerbot assembly file",
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await writeFile(OUT_FILE, `${JSON.stringify(assemblyJsonSchema(), null, 2)}\n`);
  console.log(`Wrote ${OUT_FILE}`);
}
