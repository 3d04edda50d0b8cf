// The jest project that runs the lifecycle scenarios again on PGlite (jest.config.mjs): without
// DATABASE_URL the test database, the app and the operator commands all take the embedded engine.
delete process.env.DATABASE_URL;
