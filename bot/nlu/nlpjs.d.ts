// NLP.js ships no TypeScript types. These declarations cover only what borgerbot uses, as read
// from the sources of @nlpjs/core 4.26, @nlpjs/nlu 4.27 and @nlpjs/lang-da 4.26.

declare module "@nlpjs/core" {
  /** NLP.js's plugin registry: languages register their tokenizer, stemmer etc. here. */
  export interface Container {
    use(plugin: unknown): string;
    get(name: string): unknown;
  }

  /** A fresh container with NLP.js's defaults (normalizer, tokenizer, pipeline compiler …). */
  export function containerBootstrap(): Container;
}

declare module "@nlpjs/lang-da" {
  import type { Container } from "@nlpjs/core";

  /** Registers the Danish tokenizer, Snowball stemmer ("stemmer-da"), stopwords and normalizer. */
  export class LangDa {
    register(container: Container): void;
  }

  export class StemmerDa {
    /** Synchronous and memoised; expects a lowercase word. */
    stemWord(word: string): string;
  }
}

declare module "@nlpjs/nlu" {
  import type { Container } from "@nlpjs/core";

  /** Feature name → value, NLP.js's bag-of-features input. */
  export type NluFeatures = Record<string, number>;

  export interface NluCorpusItem {
    utterance: string;
    intent: string;
  }

  export interface NluSettings {
    locale?: string;
    container?: Container;
    log?: boolean;
    /** Training stops when the error changes less than this between epochs (default 0.000001). */
    deltaErrorThresh?: number;
    /** Upper bound on training epochs (default 20000). */
    iterations?: number;
  }

  export interface NluClassification {
    intent: string;
    score: number;
  }

  /** The object NLP.js's process pipeline passes from step to step. */
  export interface NluProcessInput {
    tokens: NluFeatures;
    settings: NluSettings;
  }

  /** After the network ran: never empty, since NLP.js falls back to intent "None". */
  export interface NluProcessed extends NluProcessInput {
    classifications: NluClassification[];
  }

  /** Levenshtein spell-check against the features seen in training (@nlpjs/similarity). */
  export interface NluSpellCheck {
    /** Each token, or the closest known feature within `distance` edits. */
    check(tokens: string[], distance?: number): string[];
  }

  /**
   * NLP.js's neural intent classifier: one perceptron per intent over a bag of features.
   * `train` and `process` are async pipelines; the steps below are the synchronous parts of
   * the process pipeline, which borgerbot calls directly to classify without a promise.
   */
  export class NluNeural {
    constructor(settings?: NluSettings);
    settings: NluSettings;
    spellCheck: NluSpellCheck;
    /** Every feature of every training utterance (the value is always 1); set by train and fromJSON. */
    features: NluFeatures;
    /** Turns an utterance into features. Subclasses override it to supply their own features. */
    prepare(text: unknown): Promise<unknown>;
    train(corpus: NluCorpusItem[]): Promise<unknown>;
    /** Keeps the features seen in training. */
    textToFeatures(input: NluProcessInput): NluProcessInput;
    /** Runs the network: sets `classifications`, highest raw activation first. */
    innerProcess(input: NluProcessInput): NluProcessed;
    /** Zeroes intents none of whose training features occur in the input, and re-sorts. */
    filterNonActivated(input: NluProcessed): NluProcessed;
    /** Squares the activations and scales them to sum to 1, in place. */
    normalizeClassifications(input: NluProcessed): NluProcessed;
    toJSON(): object;
    fromJSON(json: object): void;
  }
}
