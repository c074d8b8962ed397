ALTER TABLE `executions` ADD `request` text;--> statement-breakpoint
ALTER TABLE `executions` ADD `runs` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `executions` ADD `expires_at` integer;--> statement-breakpoint
ALTER TABLE `executions` ADD `answered` text;--> statement-breakpoint
ALTER TABLE `executions` ADD `fallback_reason` text;--> statement-breakpoint
ALTER TABLE `executions` ADD `completion_state` text;--> statement-breakpoint
ALTER TABLE `executions` ADD `completion_attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `executions` ADD `completion_due_at` integer;--> statement-breakpoint
ALTER TABLE `executions` ADD `completion_error` text;--> statement-breakpoint
ALTER TABLE `executions` ADD `completed_at` integer;--> statement-breakpoint
CREATE INDEX `executions_unfinished` ON `executions` (`status`) WHERE status = 'running';--> statement-breakpoint
CREATE INDEX `executions_completion_due` ON `executions` (`completion_due_at`) WHERE completion_state = 'pending';