CREATE TYPE "tickets"."payment_event_kind" AS ENUM('REFUNDED', 'DISPUTED');--> statement-breakpoint
CREATE TABLE "tickets"."order_payment_events" (
	"event_id" text PRIMARY KEY NOT NULL,
	"order_id" uuid NOT NULL,
	"kind" "tickets"."payment_event_kind" NOT NULL,
	"amount" integer,
	"currency" text,
	"detail" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tickets"."orders" ADD COLUMN "payment_intent_id" text;--> statement-breakpoint
ALTER TABLE "tickets"."orders" ADD COLUMN "payment_client_secret" text;--> statement-breakpoint
ALTER TABLE "tickets"."orders" ADD COLUMN "payment_next_action" text;--> statement-breakpoint
ALTER TABLE "tickets"."order_payment_events" ADD CONSTRAINT "order_payment_events_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "tickets"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "order_payment_events_order_idx" ON "tickets"."order_payment_events" USING btree ("order_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "orders_payment_intent_key" ON "tickets"."orders" USING btree ("payment_intent_id") WHERE payment_intent_id is not null;