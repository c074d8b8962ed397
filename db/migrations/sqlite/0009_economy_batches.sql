CREATE TABLE `economy_batches` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`portal_id` integer NOT NULL,
	`provider` text NOT NULL,
	`model` text NOT NULL,
	`label` text NOT NULL,
	`state` text NOT NULL,
	`vendor_batch_id` text,
	`vendor_state` text,
	`items` integer NOT NULL,
	`answered` integer DEFAULT 0 NOT NULL,
	`ran_standard` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`submitted_at` integer,
	`finished_at` integer,
	`next_poll_at` integer,
	`polls` integer DEFAULT 0 NOT NULL,
	`error` text,
	`lease_owner` text,
	`lease_expires_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `economy_batches_label` ON `economy_batches` (`label`);--> statement-breakpoint
CREATE INDEX `economy_batches_open` ON `economy_batches` (`next_poll_at`) WHERE state in ('submitting', 'submitted');--> statement-breakpoint
CREATE INDEX `economy_batches_portal` ON `economy_batches` (`portal_id`,`id`);--> statement-breakpoint
ALTER TABLE `executions` ADD `processing` text;--> statement-breakpoint
ALTER TABLE `executions` ADD `economy_state` text;--> statement-breakpoint
ALTER TABLE `executions` ADD `economy_batch_id` integer;--> statement-breakpoint
ALTER TABLE `executions` ADD `economy_answer` text;--> statement-breakpoint
ALTER TABLE `executions` ADD `economy_note` text;--> statement-breakpoint
ALTER TABLE `executions` ADD `enqueued_at` integer;--> statement-breakpoint
ALTER TABLE `executions` ADD `saved_usd` real;--> statement-breakpoint
CREATE INDEX `executions_economy_waiting` ON `executions` (`portal_id`,`provider`,`model`) WHERE economy_state = 'waiting';--> statement-breakpoint
CREATE INDEX `executions_economy_batch` ON `executions` (`economy_batch_id`) WHERE economy_batch_id is not null;