CREATE SCHEMA "recommendations";
--> statement-breakpoint
CREATE TYPE "recommendations"."event_status" AS ENUM('DRAFT', 'PUBLISHED', 'CANCELLED');--> statement-breakpoint
CREATE TYPE "recommendations"."interaction_kind" AS ENUM('VIEW', 'PURCHASE');--> statement-breakpoint
CREATE TABLE "recommendations"."event_catalog" (
	"id" uuid PRIMARY KEY NOT NULL,
	"status" "recommendations"."event_status" NOT NULL,
	"title" text NOT NULL,
	"categories" text[] NOT NULL,
	"organizer_id" uuid NOT NULL,
	"venue_id" uuid NOT NULL,
	"city" text NOT NULL,
	"country" text NOT NULL,
	"latitude" double precision,
	"longitude" double precision,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"version" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "recommendations"."inbox" (
	"consumer" text NOT NULL,
	"message_id" text NOT NULL,
	"processed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inbox_consumer_message_id_pk" PRIMARY KEY("consumer","message_id")
);
--> statement-breakpoint
CREATE TABLE "recommendations"."interactions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"user_id" uuid,
	"event_id" uuid NOT NULL,
	"kind" "recommendations"."interaction_kind" NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"source_message_id" text
);
--> statement-breakpoint
CREATE TABLE "recommendations"."outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"topic" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "recommendations"."ticket_holdings" (
	"order_id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"event_id" uuid NOT NULL,
	"confirmed_at" timestamp with time zone,
	"refunded_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "event_catalog_live_idx" ON "recommendations"."event_catalog" USING btree ("status","ends_at");--> statement-breakpoint
CREATE INDEX "event_catalog_city_idx" ON "recommendations"."event_catalog" USING btree (lower("city"));--> statement-breakpoint
CREATE INDEX "event_catalog_categories_idx" ON "recommendations"."event_catalog" USING gin ("categories");--> statement-breakpoint
CREATE INDEX "event_catalog_organizer_idx" ON "recommendations"."event_catalog" USING btree ("organizer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "interactions_source_message_key" ON "recommendations"."interactions" USING btree ("source_message_id");--> statement-breakpoint
CREATE INDEX "interactions_user_idx" ON "recommendations"."interactions" USING btree ("user_id","occurred_at") WHERE user_id is not null;--> statement-breakpoint
CREATE INDEX "interactions_recent_idx" ON "recommendations"."interactions" USING btree ("occurred_at");--> statement-breakpoint
CREATE INDEX "interactions_purchases_idx" ON "recommendations"."interactions" USING btree ("event_id","user_id") WHERE kind = 'PURCHASE';--> statement-breakpoint
CREATE INDEX "outbox_unpublished_idx" ON "recommendations"."outbox" USING btree ("id") WHERE published_at is null;--> statement-breakpoint
CREATE INDEX "ticket_holdings_user_idx" ON "recommendations"."ticket_holdings" USING btree ("user_id","event_id");