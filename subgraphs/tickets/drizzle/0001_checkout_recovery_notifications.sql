CREATE TYPE "tickets"."notification_kind" AS ENUM('EVENT_CANCELLED', 'EVENT_RESCHEDULED');--> statement-breakpoint
ALTER TYPE "tickets"."payment_state" ADD VALUE 'UNKNOWN' BEFORE 'CHARGED';--> statement-breakpoint
CREATE TABLE "tickets"."notification_outbox" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"source_id" text NOT NULL,
	"kind" "tickets"."notification_kind" NOT NULL,
	"user_id" uuid NOT NULL,
	"event_id" uuid NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "tickets"."notifications" (
	"id" uuid PRIMARY KEY NOT NULL,
	"kind" "tickets"."notification_kind" NOT NULL,
	"user_id" uuid NOT NULL,
	"event_id" uuid NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "notification_outbox_source_user_key" ON "tickets"."notification_outbox" USING btree ("source_id","user_id");--> statement-breakpoint
CREATE INDEX "notification_outbox_due_idx" ON "tickets"."notification_outbox" USING btree ("next_attempt_at") WHERE sent_at is null;--> statement-breakpoint
CREATE INDEX "notifications_user_idx" ON "tickets"."notifications" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "orders_open_saga_idx" ON "tickets"."orders" USING btree ("updated_at") WHERE status = 'PENDING' or (status <> 'CONFIRMED' and payment_state not in ('NONE', 'REFUNDED'));