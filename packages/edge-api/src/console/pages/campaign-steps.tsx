// The fields of each Add Campaign step, filled with what was typed and the API's issues beside
// each (ids `campaign-<field>`, as the API names the fields, so a refusal links to them).
import type { ApiError, CampaignEstimate, User, WhoAmI } from '../../client/index.js';
import type { ApiResult } from '../api.js';
import { type CampaignForm, TIMEFRAMES, timeframeLabel } from '../campaign-form.js';
import { EstimatePanel } from './campaign-estimate.js';
import { issuesOf, TextArea, TextField } from './user-fields.js';

const PREFIX = 'campaign';

export interface StepProps {
  form: CampaignForm;
  problem: ApiError | undefined;
}

function FieldError(props: { id: string; errors: string[] }) {
  return props.errors.length > 0 ? (
    <p class="field-error" id={`${props.id}-error`}>
      <span class="visually-hidden">Error: </span>
      {props.errors.join(' ')}
    </p>
  ) : null;
}

function describedBy(id: string, errors: string[], hint: boolean): string | undefined {
  const ids = [errors.length > 0 ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

/** A choice of one, as radio buttons in a fieldset (its legend names the question). */
export function RadioGroup(props: {
  name: string;
  legend: string;
  value: string;
  options: { value: string; label: string }[];
  hint?: string;
  errors: string[];
}) {
  const id = `${PREFIX}-${props.name}`;
  return (
    <fieldset
      class="choices"
      id={id}
      aria-describedby={describedBy(id, props.errors, Boolean(props.hint))}
    >
      <legend>{props.legend}</legend>
      {props.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      <FieldError id={id} errors={props.errors} />
      {props.options.map((option) => (
        <div class="field check">
          <input
            type="radio"
            id={`${id}-${option.value}`}
            name={props.name}
            value={option.value}
            checked={option.value === props.value}
          />
          <label for={`${id}-${option.value}`}>{option.label}</label>
        </div>
      ))}
    </fieldset>
  );
}

export function DetailsStep(props: StepProps) {
  const { form, problem } = props;
  return (
    <>
      <TextField
        prefix={PREFIX}
        name="name"
        label="Campaign name"
        value={form.name ?? ''}
        required
        maxlength={120}
        errors={issuesOf(problem, 'name')}
      />
      <TextField
        prefix={PREFIX}
        name="code"
        label="Job code (optional)"
        value={form.code ?? ''}
        maxlength={40}
        hint="The campaign code: the job or requisition it is for."
        errors={issuesOf(problem, 'code')}
      />
      <TextField
        prefix={PREFIX}
        name="url"
        label="URL (optional)"
        type="url"
        value={form.url ?? ''}
        maxlength={2048}
        hint="A page on your career site or link allowlist. {{url}} in the message becomes each candidate’s own tracked link to it; their clicks count towards their score."
        errors={issuesOf(problem, 'url')}
      />
      <TextArea
        prefix={PREFIX}
        name="autoResponse"
        label="Automatic response (optional)"
        value={form.autoResponse ?? ''}
        maxlength={1600}
        hint="Texted when a candidate replies to this campaign, instead of the sender’s own automatic reply. STOP and HELP keep their own answers."
        errors={issuesOf(problem, 'autoResponse')}
      />
    </>
  );
}

export function FiltersStep(props: StepProps & { estimate: ApiResult<CampaignEstimate> | null }) {
  const { form, problem } = props;
  return (
    <>
      <RadioGroup
        name="timeframe"
        legend="Last contacted"
        value={form.timeframe ?? ''}
        options={TIMEFRAMES.map((value) => ({ value, label: timeframeLabel(value) }))}
        hint="Candidates contacted within the timeframe are left out; each text counts as a contact, so tomorrow’s run leaves today’s recipients out."
        errors={issuesOf(problem, 'timeframe')}
      />
      <TextField
        prefix={PREFIX}
        name="tags"
        label="Tags (optional)"
        value={form.tags ?? ''}
        hint="Separated by commas, up to 20. None: any candidate."
        errors={issuesOf(problem, 'tags')}
      />
      <RadioGroup
        name="tagsMode"
        legend="Candidates with"
        value={form.tagsMode ?? 'any'}
        options={[
          { value: 'any', label: 'Any of the tags' },
          { value: 'all', label: 'All of the tags' },
        ]}
        errors={issuesOf(problem, 'tagsMode')}
      />
      <EstimatePanel estimate={props.estimate} />
      <button type="submit" name="go" value="filters" class="secondary">
        Update the estimate
      </button>
    </>
  );
}

/** The people a manager may choose: active, with a messaging licence (the API's rule). */
export function eligibleSenders(users: User[]): User[] {
  return users.filter((user) => user.active && user.licence);
}

function SenderSelect(props: StepProps & { who: WhoAmI; senders: User[] }) {
  const id = `${PREFIX}-fromUserId`;
  const errors = issuesOf(props.problem, 'fromUserId');
  const chosen = props.form.fromUserId ?? '';
  const listed = props.senders.some((user) => user.id === chosen);
  return (
    <div class="field">
      <label for={id}>From</label>
      <select
        id={id}
        name="fromUserId"
        aria-describedby={describedBy(id, errors, true)}
        aria-invalid={errors.length > 0 ? 'true' : undefined}
      >
        {listed || chosen === '' ? null : (
          <option value={chosen} selected>
            {chosen} (no longer active or licensed)
          </option>
        )}
        {props.senders.map((user) => (
          <option value={user.id} selected={user.id === chosen}>
            {user.displayName}
            {user.id === props.who.userId ? ' (you)' : ''}
          </option>
        ))}
      </select>
      <p class="hint" id={`${id}-hint`}>
        The person the texts are from. Only people with a messaging licence are listed.
      </p>
      <FieldError id={id} errors={errors} />
    </div>
  );
}

/** A user or reporter sends as themselves: shown, not chosen (only a manager may choose). */
function FixedSender(props: StepProps & { who: WhoAmI }) {
  const id = `${PREFIX}-fromUserId`;
  const errors = issuesOf(props.problem, 'fromUserId');
  const chosen = props.form.fromUserId ?? '';
  const self = chosen === '' || chosen === props.who.userId;
  return (
    <div class="field" id={id}>
      <input type="hidden" name="fromUserId" value={chosen} />
      <p>
        <strong>From:</strong>{' '}
        {self ? `you (${props.who.displayName ?? props.who.email ?? 'you'})` : chosen}
      </p>
      <p class="hint" id={`${id}-hint`}>
        {self
          ? 'Only a manager may send a campaign from someone else.'
          : 'Chosen by a manager; only a manager may change who it is from.'}
        {self && !props.who.licence
          ? ' You have no messaging licence, which the sender needs: ask a manager for one, or to set up the campaign from someone who has one.'
          : ''}
      </p>
      <FieldError id={id} errors={errors} />
    </div>
  );
}

export function FromStep(
  props: StepProps & { who: WhoAmI; senders: User[] | null; timeZone: string | null },
) {
  const { form, problem } = props;
  const id = `${PREFIX}-sendTime`;
  const errors = issuesOf(problem, 'sendTime');
  return (
    <>
      {props.senders ? (
        <SenderSelect {...props} senders={props.senders} />
      ) : (
        <FixedSender {...props} />
      )}
      <div class="field">
        <label for={id}>Send time</label>
        <input
          type="time"
          id={id}
          name="sendTime"
          value={form.sendTime ?? ''}
          required
          aria-describedby={describedBy(id, errors, true)}
          aria-invalid={errors.length > 0 ? 'true' : undefined}
        />
        <p class="hint" id={`${id}-hint`}>
          Each day’s run starts then, on your organisation’s clock (
          {props.timeZone ?? 'its time zone'}), within its send hours. Candidates for whom it is
          night then are skipped that day (the estimate counts them under quiet hours).
        </p>
        <FieldError id={id} errors={errors} />
      </div>
    </>
  );
}
