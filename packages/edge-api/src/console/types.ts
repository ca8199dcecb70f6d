// The shapes of the public API's replies the console reads (issue 5's contract). Declared here
// rather than imported from the route modules so the console depends on the wire, not on how
// the routes are written.
import type { EngagementType, ScoringModel, Tier } from '@cxm/scoring';

export interface WhoAmI {
  orgId: string;
  orgName: string;
  role: 'user' | 'reporter' | 'manager' | 'admin';
  keyId: string;
}

export interface EngagementRow {
  id: string;
  type: EngagementType;
  detail: string | null;
  occurredAt: string;
  receivedAt: string;
  source: string;
  machine: boolean;
}

export interface EngagementPage {
  engagements: EngagementRow[];
  nextCursor: string | null;
}

export interface CandidateScore {
  candidateId: string;
  tier: Tier;
  points: number;
  asOf: string;
  breakdown: { type: EngagementType; points: number; count: number }[];
  lastEngagedAt: string | null;
}

export interface ScoreHistory {
  candidateId: string;
  thresholds: { engaged: number; highlyEngaged: number };
  points: { date: string; points: number; tier: Tier }[];
}

export interface AudienceMember {
  candidateId: string;
  tier: Tier;
  points: number;
  lastEngagedAt: string | null;
  tags: string[];
}

export interface Audience {
  candidates: AudienceMember[];
  total: number;
  nextCursor: string | null;
}

export interface TierReport {
  asOf: string;
  tiers: Record<Tier, number>;
  engagementsPerDay: { date: string; type: EngagementType; count: number }[];
}

export interface EngagementSettings {
  trackingEnabled: boolean;
  allowedOrigins: string[];
  consentMode: string;
  onetrustCategory: string;
  dedupe: { visitMinutes: number; formMinutes: number };
  scoringModel: ScoringModel | null;
  webhookUrl: string | null;
  linkAllowlist: string[];
  siteKey: string;
}

export interface TrackingCode {
  consent: 'none' | 'onetrust';
  snippet: string;
}
