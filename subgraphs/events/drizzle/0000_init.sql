CREATE SCHEMA "events";
--> statement-breakpoint
CREATE TYPE "events"."event_status" AS ENUM('DRAFT', 'PUBLISHED', 'CANCELLED');--> statement-breakpoint
CREATE TABLE "events"."events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organizer_id" uuid NOT NULL,
	"venue_id" uuid NOT NULL,
	"title" text NOT NULL,
	"description" text NOT NULL,
	"starts_at" timestamp (3) with time zone NOT NULL,
	"ends_at" timestamp (3) with time zone NOT NULL,
	"timezone" text NOT NULL,
	"categories" text[] NOT NULL,
	"status" "events"."event_status" DEFAULT 'DRAFT' NOT NULL,
	"cancellation_reason" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"search" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('english'::regconfig, title), 'A') || setweight(to_tsvector('english'::regconfig, description), 'B')) STORED NOT NULL,
	CONSTRAINT "events_time_order_check" CHECK ("events"."events"."starts_at" < "events"."events"."ends_at")
);
--> statement-breakpoint
CREATE TABLE "events"."inbox" (
	"consumer" text NOT NULL,
	"message_id" text NOT NULL,
	"processed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inbox_consumer_message_id_pk" PRIMARY KEY("consumer","message_id")
);
--> statement-breakpoint
CREATE TABLE "events"."outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"topic" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "events"."venues" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"address" text NOT NULL,
	"city" text NOT NULL,
	"country" text NOT NULL,
	"capacity" integer NOT NULL,
	"latitude" double precision,
	"longitude" double precision,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "venues_capacity_check" CHECK ("events"."venues"."capacity" between 1 and 1000000),
	CONSTRAINT "venues_coordinates_check" CHECK (("events"."venues"."latitude" is null) = ("events"."venues"."longitude" is null)
        and ("events"."venues"."latitude" is null or "events"."venues"."latitude" between -90 and 90)
        and ("events"."venues"."longitude" is null or "events"."venues"."longitude" between -180 and 180))
);
--> statement-breakpoint
ALTER TABLE "events"."events" ADD CONSTRAINT "events_venue_id_venues_id_fk" FOREIGN KEY ("venue_id") REFERENCES "events"."venues"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "events_search_idx" ON "events"."events" USING gin ("search");--> statement-breakpoint
CREATE INDEX "events_categories_idx" ON "events"."events" USING gin ("categories");--> statement-breakpoint
CREATE INDEX "events_status_starts_idx" ON "events"."events" USING btree ("status","starts_at","id");--> statement-breakpoint
CREATE INDEX "events_organizer_starts_idx" ON "events"."events" USING btree ("organizer_id","starts_at","id");--> statement-breakpoint
CREATE INDEX "events_venue_idx" ON "events"."events" USING btree ("venue_id");--> statement-breakpoint
CREATE INDEX "outbox_unpublished_idx" ON "events"."outbox" USING btree ("id") WHERE published_at is null;--> statement-breakpoint
CREATE INDEX "venues_lat_lon_idx" ON "events"."venues" USING btree ("latitude","longitude");--> statement-breakpoint
CREATE INDEX "venues_city_idx" ON "events"."venues" USING btree (lower("city"));