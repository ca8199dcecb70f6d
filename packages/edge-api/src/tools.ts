// What tools outside the worker reuse so that they build and measure exactly what the worker
// does: the audience and tier-report SQL (the reads benchmark runs it against a bulk-loaded D1)
// and the score row a writer stores (the benchmark's bulk data is scored the same way).

export {
  audienceCountSql,
  audiencePageSql,
  engagementDaysSql,
  engagementsPerDaySql,
  tierCountsSql,
  tierFilter,
} from './endpoints/audiences/audience-sql.js';
export { nextScoreRow } from './scoring/score-row.js';
