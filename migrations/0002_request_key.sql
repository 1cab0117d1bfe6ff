ALTER TABLE `sessions` ADD `request_key` text;--> statement-breakpoint
CREATE UNIQUE INDEX `sessions_request_key` ON `sessions` (`request_key`);