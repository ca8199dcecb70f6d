// Admin settings, Engagement tab: the scoring model as a form (points per engagement type, the
// half-life, the two tier thresholds; the guards and hysteresis under "More"), with what it would
// do to today's tier counts beside it (`POST /v1/settings/engagement/preview`). Update preview
// posts the form and shows the page again with the preview (no script needed); with script,
// `settings-form.js` refreshes the panel in place as values change. Nothing is saved until Save.
import { ENGAGEMENT_TYPES, TIERS } from '@cxm/scoring';
import type { ApiError, ModelPreview } from '../../client/index.js';
import type { ApiResult } from '../api.js';
import { TIER_LABELS, TYPE_LABELS } from '../labels.js';
import { FIELD_LABELS, FIELD_PREFIX, type Form, fieldProblems } from '../settings-fields.js';
import { errorsOf, Input, SectionRefusal, type SectionView } from './engagement-settings.js';

const PREVIEW_ID = 'model-preview';

function change(before: number, after: number): string {
  if (after === before) return 'no change';
  return after > before ? `+${after - before}` : `−${before - after}`;
}

/**
 * The preview panel: the counts now and with the model, or why there are none. `form` is what
 * was previewed, for the words of a refusal.
 */
export function ModelPreviewPanel(props: { preview: ApiResult<ModelPreview> | null; form: Form }) {
  const { preview } = props;
  return (
    <section
      class="estimate"
      id={PREVIEW_ID}
      aria-labelledby={`${PREVIEW_ID}-heading`}
      aria-live="polite"
    >
      <h3 id={`${PREVIEW_ID}-heading`}>With this model today</h3>
      {preview === null ? (
        <p class="hint">Change a value, then Update preview to see the tier counts it gives.</p>
      ) : preview.ok ? (
        <PreviewCounts data={preview.data} />
      ) : (
        <PreviewRefused problem={preview.problem} form={props.form} />
      )}
    </section>
  );
}

function PreviewCounts({ data }: { data: ModelPreview }) {
  const total = TIERS.reduce((sum, tier) => sum + data.current[tier], 0);
  const summary = TIERS.map(
    (tier) => `${TIER_LABELS[tier]} ${data.current[tier]} → ${data.preview[tier]}`,
  ).join(', ');
  return (
    <>
      <p>
        <strong>{summary}.</strong>
      </p>
      <table>
        <caption class="visually-hidden">Candidates per tier, now and with this model</caption>
        <thead>
          <tr>
            <th scope="col">Tier</th>
            <th scope="col" class="num">
              Now
            </th>
            <th scope="col" class="num">
              With this model
            </th>
            <th scope="col" class="num">
              Change
            </th>
          </tr>
        </thead>
        <tbody>
          {TIERS.map((tier) => (
            <tr>
              <th scope="row">{TIER_LABELS[tier]}</th>
              <td class="num">{data.current[tier]}</td>
              <td class="num">{data.preview[tier]}</td>
              <td class="num">{change(data.current[tier], data.preview[tier])}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="hint">
        {total} candidate{total === 1 ? '' : 's'} with a score, as of {data.asOf.slice(11, 16)} UTC.{' '}
        {data.method === 'rebuild'
          ? 'A new half-life, window, cap or machine share: every candidate was rescored from their engagements, as saving does.'
          : 'Counted from the stored scores.'}{' '}
        Nothing is saved until you press Save model.
      </p>
    </>
  );
}

function PreviewRefused(props: { problem: ApiError; form: Form }) {
  const { byField } = fieldProblems(props.problem, props.form);
  if (byField.size === 0) {
    return (
      <p class="field-error">
        {props.problem.code === 'forbidden'
          ? 'Your role cannot preview the scoring model.'
          : `No preview: ${props.problem.message}`}
      </p>
    );
  }
  return (
    <>
      <p class="field-error">No preview until these are fixed:</p>
      <ul>
        {[...byField.entries()].map(([field, messages]) => (
          <li>
            <a href={`#${FIELD_PREFIX}-${field}`}>
              {FIELD_LABELS[field] ?? field}: {messages.join(' ')}
            </a>
          </li>
        ))}
      </ul>
    </>
  );
}

function NumberInput(props: {
  view: SectionView;
  name: string;
  label?: string;
  hint?: string;
  size?: number;
}) {
  return (
    <Input
      name={props.name}
      label={props.label}
      value={props.view.form[props.name] ?? ''}
      inputmode="decimal"
      size={props.size ?? 6}
      hint={props.hint}
      errors={errorsOf(props.view, 'model', props.name)}
    />
  );
}

/** While a saved model's rescore runs (in the background, page by page): how far it is. */
function RescoreStatus({ rescore }: { rescore: SectionView['settings']['rescore'] }) {
  if (rescore?.state === 'queued' || rescore?.state === 'running') {
    return (
      <p class="hint" role="status">
        Rescoring {rescore.done.toLocaleString('en')} of {rescore.total.toLocaleString('en')}{' '}
        candidates… Tiers and reports follow the new model as each candidate is rescored.
      </p>
    );
  }
  if (rescore?.state === 'failed') {
    return (
      <p class="hint" role="status">
        Rescoring stopped after {rescore.done.toLocaleString('en')} of{' '}
        {rescore.total.toLocaleString('en')} candidates. Save the model again to rescore everyone.
      </p>
    );
  }
  return null;
}

export function ModelSection(props: {
  view: SectionView;
  preview: ApiResult<ModelPreview> | null;
}) {
  const { view } = props;
  const refused = view.refused?.section === 'model' ? view.refused : undefined;
  return (
    <section class="card" aria-labelledby="model-heading">
      <h2 id="model-heading">Scoring model</h2>
      <p class="hint">
        {view.settings.scoringModelIsDefault
          ? 'The default model, not customised. '
          : 'Customised for your organisation. '}
        An engagement is worth its points when it happens and half as much after each half-life; a
        candidate's points decide their tier. Saving rescores every candidate.
      </p>
      <RescoreStatus rescore={view.settings.rescore} />
      {refused ? (
        <SectionRefusal
          section="model"
          problem={refused.problem}
          form={view.form}
          action={refused.action}
        />
      ) : null}
      <script src="/console/assets/settings-form.js" defer />
      <form
        method="post"
        action="/console/settings/scoring-model"
        data-preview="/console/settings/scoring-model/preview"
      >
        <PointsAndTiers view={view} />
        <Guards view={view} open={refused !== undefined && guardsRefused(view)} />
        <ModelPreviewPanel preview={props.preview} form={view.form} />
        <div class="row">
          <button type="submit" name="action" value="save">
            Save model
          </button>
          <button type="submit" name="action" value="preview" class="secondary">
            Update preview
          </button>
          <button type="submit" name="action" value="reset" class="secondary">
            Reset to the default
          </button>
        </div>
      </form>
    </section>
  );
}

/** The points per engagement type, the half-life and the two thresholds. */
function PointsAndTiers({ view }: { view: SectionView }) {
  return (
    <>
      <fieldset class="choices">
        <legend>Points per engagement</legend>
        <div class="row">
          {ENGAGEMENT_TYPES.map((type) => (
            <NumberInput
              view={view}
              name={`scoringModel.weights.${type}`}
              label={TYPE_LABELS[type]}
              size={5}
            />
          ))}
        </div>
      </fieldset>
      <div class="row">
        <NumberInput
          view={view}
          name="scoringModel.halfLifeDays"
          label="Half-life (days)"
          hint="An engagement is worth half after this many days."
        />
        <NumberInput
          view={view}
          name="scoringModel.thresholds.engaged"
          label={`${TIER_LABELS.engaged} from (points)`}
        />
        <NumberInput
          view={view}
          name="scoringModel.thresholds.highlyEngaged"
          label={`${TIER_LABELS.highly_engaged} from (points)`}
        />
      </div>
    </>
  );
}

/** Under "More": the window and its caps, the machine share and hysteresis. */
function Guards(props: { view: SectionView; open: boolean }) {
  const { view } = props;
  return (
    <details open={props.open ? true : undefined}>
      <summary>More: guards against one behaviour dominating, and hysteresis</summary>
      <NumberInput
        view={view}
        name="scoringModel.window.hours"
        label="Window length (hours)"
        hint="Within one window the same email, page, form or event counts once, and at most the number below of each type count."
      />
      <fieldset class="choices">
        <legend>Counted per window, at most</legend>
        <div class="row">
          {ENGAGEMENT_TYPES.map((type) => (
            <NumberInput
              view={view}
              name={`scoringModel.window.caps.${type}`}
              label={TYPE_LABELS[type]}
              size={4}
            />
          ))}
        </div>
      </fieldset>
      <div class="row">
        <NumberInput
          view={view}
          name="scoringModel.machineFactor"
          label="Machine engagements count (0 to 1)"
          hint="Share of the points of an open or click a mail privacy proxy made: 0 for none."
        />
        <NumberInput
          view={view}
          name="scoringModel.hysteresis"
          label="Hysteresis (0 to 1)"
          hint="A stored tier drops only this share below its threshold: 0.1 is 10 %."
        />
      </div>
    </details>
  );
}

/** Whether a refusal concerns the fields under "More", which then opens. */
function guardsRefused(view: SectionView): boolean {
  const fields = [...fieldProblems(view.refused?.problem, view.form).byField.keys()];
  return fields.some(
    (field) =>
      field.startsWith('scoringModel.window') ||
      field === 'scoringModel.machineFactor' ||
      field === 'scoringModel.hysteresis',
  );
}
