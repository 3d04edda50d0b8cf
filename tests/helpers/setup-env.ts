// Every test file starts from the same configuration; tests that need another call withEnv().
process.env.NEXT_TELEMETRY_DISABLED = "1";
process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? "silent";
