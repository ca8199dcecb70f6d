-- While an organisation moves (src/endpoints/ops/move.ts): the shard it is being copied to, so a move cut short is cleaned up there.
ALTER TABLE `dir_orgs` ADD `moving_to` text;