CREATE SCHEMA "dbtest";
--> statement-breakpoint
CREATE TABLE "dbtest"."things" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "things_name_unique" UNIQUE("name")
);
