export * from "./traders";
export * from "./kyc-cases";
export * from "./sessions";
export * from "./one-time-tokens";
export * from "./audit-events";
export * from "./case-events";
export * from "./case-drafts";
export * from "./documents";
