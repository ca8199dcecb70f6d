// Add Campaign (and Edit): the steps a recruiter expects, details → filters (with the estimate)
// → from and send time → message → review, as one form. Each Back or Next posts the whole form
// and the server shows the next step, carrying the other steps' values as hidden fields, so it
// works without script and nothing is kept on the server between steps. A refusal shows every
// step at once, with what was typed and the API's issues beside their fields.
import type {
  ApiError,
  Campaign,
  CampaignEstimate,
  Issue,
  User,
  WhoAmI,
} from '../../client/index.js';
import type { ApiResult } from '../api.js';
import { type CampaignForm, STEP_FIELDS, STEP_LABELS, STEPS, type Step } from '../campaign-form.js';
import { Layout } from '../layout.js';
import { MessageStep, ReviewStep } from './campaign-message.js';
import { DetailsStep, FiltersStep, FromStep } from './campaign-steps.js';
import { CampaignsRefused, campaignPath } from './campaigns.js';
import { type FieldProblem, RefusalSummary } from './user-fields.js';

export interface WizardProps {
  who: WhoAmI;
  /** The campaign being edited; null for Add Campaign. */
  campaign: Campaign | null;
  /** The step shown, or `all` (after a refusal: every field at once). */
  step: Step | 'all';
  form: CampaignForm;
  /** A manager's choice of senders; null for someone who may only send as themselves. */
  senders: User[] | null;
  timeZone: string | null;
  estimate: ApiResult<CampaignEstimate> | null;
  problem?: ApiError | undefined;
  /** A campaign that could not be read for editing. */
  refused?: ApiResult<unknown> | undefined;
}

const FIELD_LABELS: Record<string, string> = {
  name: 'Campaign name',
  code: 'Job code',
  url: 'URL',
  autoResponse: 'Automatic response',
  timeframe: 'Last contacted',
  tags: 'Tags',
  tagsMode: 'Candidates with',
  fromUserId: 'From',
  sendTime: 'Send time',
  channel: 'Channel',
  message: 'Message',
  templateId: 'Saved template',
  templateVariables: 'Template variables',
  state: 'Start',
};

function fieldOf(issue: Issue): string | undefined {
  const field = issue.path.split('.')[0] ?? '';
  return field in FIELD_LABELS ? field : undefined;
}

function CampaignRefusal(props: { problem: ApiError; creating: boolean }) {
  const { problem } = props;
  const fields = new Map<string, FieldProblem>();
  for (const issue of problem.issues) {
    const field = fieldOf(issue);
    if (!field) continue;
    const entry = fields.get(field) ?? { field, label: FIELD_LABELS[field] ?? field, messages: [] };
    entry.messages.push(issue.message);
    fields.set(field, entry);
  }
  return (
    <RefusalSummary
      problem={problem}
      action={props.creating ? 'The campaign was not saved' : 'The changes were not saved'}
      headline={problem.code === 'forbidden' ? 'your role cannot do this' : undefined}
      prefix="campaign"
      fields={[...fields.values()]}
      other={problem.issues.filter((issue) => fieldOf(issue) === undefined)}
      keepMessage={problem.code !== 'invalid_request'}
      showStatus={fields.size === 0}
    />
  );
}

/** The fields a shown step does not show itself (the other content of the message step). */
function carriedWithin(step: Step, form: CampaignForm): string[] {
  if (step !== 'message') return [];
  return form.content === 'template' ? ['message'] : ['templateId', 'templateVariables'];
}

function Carried(props: { fields: readonly string[]; form: CampaignForm }) {
  return (
    <>
      {props.fields.map((name) =>
        props.form[name] === undefined ? null : (
          <input type="hidden" name={name} value={props.form[name]} />
        ),
      )}
    </>
  );
}

function senderName(props: WizardProps): string {
  const id = props.form.fromUserId ?? '';
  if (id === '' || id === props.who.userId) return `You (${props.who.displayName ?? 'you'})`;
  return props.senders?.find((user) => user.id === id)?.displayName ?? id;
}

function StepFields(props: WizardProps & { at: Step }) {
  const common = { form: props.form, problem: props.problem };
  switch (props.at) {
    case 'details':
      return <DetailsStep {...common} />;
    case 'filters':
      return <FiltersStep {...common} estimate={props.estimate} />;
    case 'from':
      return (
        <FromStep {...common} who={props.who} senders={props.senders} timeZone={props.timeZone} />
      );
    case 'message':
      return <MessageStep {...common} />;
    case 'review':
      return (
        <ReviewStep
          {...common}
          senderName={senderName(props)}
          estimate={props.estimate}
          creating={props.campaign === null}
        />
      );
  }
}

function StepSection(props: WizardProps & { at: Step }) {
  const index = STEPS.indexOf(props.at);
  return (
    <section class="step" aria-labelledby={`step-${props.at}-heading`}>
      <h2 id={`step-${props.at}-heading`}>
        <span class="muted">
          Step {index + 1} of {STEPS.length}:
        </span>{' '}
        {STEP_LABELS[props.at]}
      </h2>
      <StepFields {...props} />
      <Carried fields={carriedWithin(props.at, props.form)} form={props.form} />
    </section>
  );
}

/** Where the recruiter is; the other steps are buttons that go there (keeping what was typed). */
function StepList(props: { step: Step | 'all' }) {
  return (
    <ol class="steps" aria-label="Steps">
      {STEPS.map((step) => (
        <li>
          {step === props.step ? (
            <span aria-current="step">{STEP_LABELS[step]}</span>
          ) : (
            <button type="submit" name="go" value={step} class="link">
              {STEP_LABELS[step]}
            </button>
          )}
        </li>
      ))}
    </ol>
  );
}

function StepButtons(props: { step: Step | 'all'; cancel: string; creating: boolean }) {
  const index = props.step === 'all' ? -1 : STEPS.indexOf(props.step);
  const next = index >= 0 ? STEPS[index + 1] : undefined;
  const back = index > 0 ? STEPS[index - 1] : undefined;
  const save = props.creating ? 'Save campaign' : 'Save changes';
  return (
    <div class="row">
      {next ? (
        <button type="submit" name="go" value={next}>
          Next: {STEP_LABELS[next]}
        </button>
      ) : (
        <button type="submit" name="go" value="save">
          {save}
        </button>
      )}
      {next && !props.creating ? (
        // An edit may be saved from any step: the other steps' values travel with the form.
        <button type="submit" name="go" value="save" class="secondary">
          {save}
        </button>
      ) : null}
      {back ? (
        <button type="submit" name="go" value={back} class="secondary">
          Back: {STEP_LABELS[back]}
        </button>
      ) : null}
      <a class="button secondary" href={props.cancel}>
        Cancel
      </a>
    </div>
  );
}

function defaultGo(step: Step | 'all'): string {
  const index = step === 'all' ? -1 : STEPS.indexOf(step);
  return (index >= 0 ? STEPS[index + 1] : undefined) ?? 'save';
}

export function CampaignWizard(props: WizardProps) {
  const { campaign, step } = props;
  const creating = campaign === null;
  const title = creating ? 'Add Campaign' : `Edit ${campaign.name}`;
  const action = creating ? '/console/campaigns/new' : campaignPath(campaign.id, '/edit');
  const cancel = creating ? '/console/campaigns' : campaignPath(campaign.id);
  const shown = (at: Step) => step === at || (step === 'all' && at !== 'review') || false;
  return (
    <Layout title={title} who={props.who} section="campaigns">
      <p class="crumbs">
        <a href="/console/campaigns">Campaigns</a>
        {campaign ? (
          <>
            {' › '}
            <a href={campaignPath(campaign.id)}>{campaign.name}</a>
          </>
        ) : null}
      </p>
      <h1>{title}</h1>
      <script src="/console/assets/campaign-form.js" defer />
      {props.refused && !props.refused.ok ? (
        <CampaignsRefused who={props.who} problem={props.refused} />
      ) : (
        <>
          {props.problem ? <CampaignRefusal problem={props.problem} creating={creating} /> : null}
          <form
            method="post"
            action={action}
            class="card wizard"
            novalidate
            data-estimate="/console/campaigns/estimate"
          >
            {/* Enter in a field goes on (or saves), never back: the first submit button decides. */}
            <button
              type="submit"
              name="go"
              value={defaultGo(step)}
              class="visually-hidden"
              tabindex={-1}
            >
              Continue
            </button>
            <StepList step={step} />
            {STEPS.map((at) =>
              shown(at) ? (
                <StepSection {...props} at={at} />
              ) : (
                <Carried fields={STEP_FIELDS[at]} form={props.form} />
              ),
            )}
            {step === 'all' && creating ? (
              <Carried fields={STEP_FIELDS.review} form={props.form} />
            ) : null}
            <StepButtons step={step} cancel={cancel} creating={creating} />
          </form>
        </>
      )}
    </Layout>
  );
}
