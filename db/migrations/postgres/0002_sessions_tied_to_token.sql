-- A session opened before this has no token to be checked against: it ends, and its operator signs in again.
DELETE FROM "admin_sessions";--> statement-breakpoint
ALTER TABLE "admin_sessions" ADD COLUMN "token_fingerprint" text NOT NULL;