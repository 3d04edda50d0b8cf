CREATE TABLE "pass_cursors" (
	"name" text PRIMARY KEY NOT NULL,
	"after" uuid,
	"updated_at" timestamp with time zone NOT NULL
);
