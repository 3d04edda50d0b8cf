import type en from "./messages/en.json";

// en.json is the source of truth: a key missing there is a type error wherever it is used.
declare module "next-intl" {
  interface AppConfig {
    Messages: typeof en;
  }
}
