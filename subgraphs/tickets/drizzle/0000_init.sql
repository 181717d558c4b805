CREATE SCHEMA "tickets";
--> statement-breakpoint
CREATE TYPE "tickets"."event_status" AS ENUM('DRAFT', 'PUBLISHED', 'CANCELLED');--> statement-breakpoint
CREATE TYPE "tickets"."job_status" AS ENUM('PENDING', 'DONE');--> statement-breakpoint
CREATE TYPE "tickets"."ledger_kind" AS ENUM('HELD', 'RELEASED', 'EXPIRED', 'SOLD', 'REFUNDED', 'VOIDED');--> statement-breakpoint
CREATE TYPE "tickets"."order_status" AS ENUM('PENDING', 'CONFIRMED', 'FAILED', 'REFUNDED');--> statement-breakpoint
CREATE TYPE "tickets"."payment_state" AS ENUM('NONE', 'CHARGED', 'REFUNDED');--> statement-breakpoint
CREATE TYPE "tickets"."reservation_status" AS ENUM('HELD', 'CONFIRMED', 'EXPIRED', 'RELEASED');--> statement-breakpoint
CREATE TYPE "tickets"."ticket_status" AS ENUM('VALID', 'CHECKED_IN', 'VOID');--> statement-breakpoint
CREATE TABLE "tickets"."cancellation_jobs" (
	"event_id" uuid PRIMARY KEY NOT NULL,
	"reason" text NOT NULL,
	"status" "tickets"."job_status" DEFAULT 'PENDING' NOT NULL,
	"refunded_orders" integer DEFAULT 0 NOT NULL,
	"released_reservations" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "tickets"."event_directory" (
	"event_id" uuid PRIMARY KEY NOT NULL,
	"organizer_id" uuid NOT NULL,
	"status" "tickets"."event_status" NOT NULL,
	"title" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"version" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tickets"."inbox" (
	"consumer" text NOT NULL,
	"message_id" text NOT NULL,
	"processed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inbox_consumer_message_id_pk" PRIMARY KEY("consumer","message_id")
);
--> statement-breakpoint
CREATE TABLE "tickets"."inventory_ledger" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tier_id" uuid NOT NULL,
	"event_id" uuid NOT NULL,
	"kind" "tickets"."ledger_kind" NOT NULL,
	"sold_delta" integer NOT NULL,
	"held_delta" integer NOT NULL,
	"reservation_id" uuid,
	"order_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tickets"."tickets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"order_id" uuid NOT NULL,
	"tier_id" uuid NOT NULL,
	"event_id" uuid NOT NULL,
	"code" text NOT NULL,
	"status" "tickets"."ticket_status" DEFAULT 'VALID' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"checked_in_at" timestamp with time zone,
	"voided_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "tickets"."orders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"event_id" uuid NOT NULL,
	"reservation_id" uuid NOT NULL,
	"status" "tickets"."order_status" DEFAULT 'PENDING' NOT NULL,
	"payment_state" "tickets"."payment_state" DEFAULT 'NONE' NOT NULL,
	"total_cents" integer NOT NULL,
	"currency" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"request_hash" text NOT NULL,
	"payment_reference" text,
	"failure_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"confirmed_at" timestamp with time zone,
	"refunded_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "tickets"."outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"topic" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tickets"."reservation_items" (
	"reservation_id" uuid NOT NULL,
	"tier_id" uuid NOT NULL,
	"quantity" integer NOT NULL,
	"unit_price_cents" integer NOT NULL,
	CONSTRAINT "reservation_items_reservation_id_tier_id_pk" PRIMARY KEY("reservation_id","tier_id"),
	CONSTRAINT "reservation_items_quantity_check" CHECK ("tickets"."reservation_items"."quantity" > 0)
);
--> statement-breakpoint
CREATE TABLE "tickets"."reservations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"event_id" uuid NOT NULL,
	"status" "tickets"."reservation_status" DEFAULT 'HELD' NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"total_cents" integer NOT NULL,
	"currency" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"request_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tickets"."ticket_tiers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"event_id" uuid NOT NULL,
	"name" text NOT NULL,
	"price_cents" integer NOT NULL,
	"currency" text NOT NULL,
	"capacity" integer NOT NULL,
	"sold" integer DEFAULT 0 NOT NULL,
	"held" integer DEFAULT 0 NOT NULL,
	"max_per_order" integer NOT NULL,
	"sales_start_at" timestamp with time zone,
	"sales_end_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ticket_tiers_counters_check" CHECK ("tickets"."ticket_tiers"."sold" >= 0 and "tickets"."ticket_tiers"."held" >= 0 and "tickets"."ticket_tiers"."sold" + "tickets"."ticket_tiers"."held" <= "tickets"."ticket_tiers"."capacity"),
	CONSTRAINT "ticket_tiers_capacity_check" CHECK ("tickets"."ticket_tiers"."capacity" between 1 and 1000000),
	CONSTRAINT "ticket_tiers_price_check" CHECK ("tickets"."ticket_tiers"."price_cents" >= 0),
	CONSTRAINT "ticket_tiers_max_per_order_check" CHECK ("tickets"."ticket_tiers"."max_per_order" between 1 and 100 and "tickets"."ticket_tiers"."max_per_order" <= "tickets"."ticket_tiers"."capacity"),
	CONSTRAINT "ticket_tiers_currency_check" CHECK ("tickets"."ticket_tiers"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "ticket_tiers_sales_window_check" CHECK ("tickets"."ticket_tiers"."sales_start_at" is null or "tickets"."ticket_tiers"."sales_end_at" is null or "tickets"."ticket_tiers"."sales_start_at" < "tickets"."ticket_tiers"."sales_end_at")
);
--> statement-breakpoint
ALTER TABLE "tickets"."inventory_ledger" ADD CONSTRAINT "inventory_ledger_tier_id_ticket_tiers_id_fk" FOREIGN KEY ("tier_id") REFERENCES "tickets"."ticket_tiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets"."tickets" ADD CONSTRAINT "tickets_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "tickets"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets"."tickets" ADD CONSTRAINT "tickets_tier_id_ticket_tiers_id_fk" FOREIGN KEY ("tier_id") REFERENCES "tickets"."ticket_tiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets"."orders" ADD CONSTRAINT "orders_event_id_event_directory_event_id_fk" FOREIGN KEY ("event_id") REFERENCES "tickets"."event_directory"("event_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets"."orders" ADD CONSTRAINT "orders_reservation_id_reservations_id_fk" FOREIGN KEY ("reservation_id") REFERENCES "tickets"."reservations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets"."reservation_items" ADD CONSTRAINT "reservation_items_reservation_id_reservations_id_fk" FOREIGN KEY ("reservation_id") REFERENCES "tickets"."reservations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets"."reservation_items" ADD CONSTRAINT "reservation_items_tier_id_ticket_tiers_id_fk" FOREIGN KEY ("tier_id") REFERENCES "tickets"."ticket_tiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets"."reservations" ADD CONSTRAINT "reservations_event_id_event_directory_event_id_fk" FOREIGN KEY ("event_id") REFERENCES "tickets"."event_directory"("event_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets"."ticket_tiers" ADD CONSTRAINT "ticket_tiers_event_id_event_directory_event_id_fk" FOREIGN KEY ("event_id") REFERENCES "tickets"."event_directory"("event_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "inventory_ledger_tier_idx" ON "tickets"."inventory_ledger" USING btree ("tier_id");--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_code_key" ON "tickets"."tickets" USING btree ("code");--> statement-breakpoint
CREATE INDEX "tickets_order_idx" ON "tickets"."tickets" USING btree ("order_id");--> statement-breakpoint
CREATE UNIQUE INDEX "orders_idempotency_key" ON "tickets"."orders" USING btree ("user_id","idempotency_key");--> statement-breakpoint
CREATE UNIQUE INDEX "orders_live_reservation_key" ON "tickets"."orders" USING btree ("reservation_id") WHERE status in ('PENDING', 'CONFIRMED', 'REFUNDED');--> statement-breakpoint
CREATE INDEX "orders_user_page_idx" ON "tickets"."orders" USING btree ("user_id","created_at","id");--> statement-breakpoint
CREATE INDEX "orders_event_status_idx" ON "tickets"."orders" USING btree ("event_id","status");--> statement-breakpoint
CREATE INDEX "outbox_unpublished_idx" ON "tickets"."outbox" USING btree ("id") WHERE published_at is null;--> statement-breakpoint
CREATE UNIQUE INDEX "reservations_idempotency_key" ON "tickets"."reservations" USING btree ("user_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "reservations_held_expiry_idx" ON "tickets"."reservations" USING btree ("expires_at") WHERE status = 'HELD';--> statement-breakpoint
CREATE INDEX "reservations_held_event_idx" ON "tickets"."reservations" USING btree ("event_id","expires_at") WHERE status = 'HELD';--> statement-breakpoint
CREATE INDEX "ticket_tiers_event_idx" ON "tickets"."ticket_tiers" USING btree ("event_id","created_at");