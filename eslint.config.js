import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** botbuilder and the Bot Framework packages, which only the channel layer and the dialogs may use. */
const BOT_FRAMEWORK_PACKAGES = ["botbuilder", "botbuilder-*", "botframework-*"];

export default tseslint.config(
  { ignores: ["node_modules", "dist", "data", "coverage", "teams/build"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Type-aware rules, for the TypeScript that tsconfig.json covers. A promise nobody awaits
    // loses its error (an unhandled rejection stops the process) and races the reply it belongs to.
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
    },
  },
  {
    // A move to the Microsoft 365 Agents SDK should touch bot/channels and dialogs only (README).
    files: ["**/*.ts"],
    ignores: ["bot/channels/**", "dialogs/**", "test/**"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: BOT_FRAMEWORK_PACKAGES,
              message:
                "botbuilder belongs in bot/channels/ or dialogs/; depend on a small local interface instead.",
            },
          ],
        },
      ],
    },
  },
  {
    // The domain is what the bot does, whatever carries the messages: it defines the interfaces
    // it needs and the channel layer implements them, never the other way round.
    files: ["bot/domain/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["**/channels/*"], message: "bot/domain must not depend on bot/channels." }] },
      ],
    },
  },
  {
    files: ["bot/web/**/*.js"],
    languageOptions: {
      globals: {
        window: "readonly",
        document: "readonly",
        fetch: "readonly",
        AdaptiveCards: "readonly",
        console: "readonly",
        setTimeout: "readonly",
        crypto: "readonly",
        localStorage: "readonly",
      },
    },
  },
);
