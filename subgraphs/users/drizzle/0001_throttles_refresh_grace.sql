CREATE TABLE "users"."sign_in_throttles" (
	"key" text PRIMARY KEY NOT NULL,
	"failures" double precision NOT NULL,
	"blocked_until" timestamp with time zone,
	"trusted_until" timestamp with time zone,
	"last_attempt_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users"."sign_up_windows" (
	"key" text PRIMARY KEY NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"count" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "users"."refresh_tokens" ADD COLUMN "successor" text;--> statement-breakpoint
CREATE INDEX "sign_in_throttles_last_attempt_idx" ON "users"."sign_in_throttles" USING btree ("last_attempt_at");--> statement-breakpoint
CREATE INDEX "sign_up_windows_started_idx" ON "users"."sign_up_windows" USING btree ("started_at");--> statement-breakpoint
CREATE INDEX "refresh_tokens_successor_idx" ON "users"."refresh_tokens" USING btree ("rotated_at") WHERE successor is not null;