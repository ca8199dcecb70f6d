// Every option the tracker takes, with its default, in one place; and how the snippet's script
// tag spells them as `data-` attributes.

export type ConsentMode = 'none' | 'onetrust' | 'manual';

export interface Options {
  /** The site's public key, e.g. `pk_demo`. Required: without it the tracker does nothing. */
  site: string;
  /** Origin of the edge API that receives beacons. Default: the origin the script came from. */
  collector: string;
  /** `none`: run at once; `onetrust`: wait for the OneTrust category; `manual`: wait for `cxm('consent', true)`. */
  consent: ConsentMode;
  /** The OneTrust category that must be active (default `C0004`, targeting). */
  onetrustCategory: string;
  /** Honour Global Privacy Control (`navigator.globalPrivacyControl`): stay off when it is set. */
  gpc: boolean;
  /** Add a hidden `cxm_vid` input with the visitor id to forms when they are submitted. */
  formVisitorField: boolean;
  /** Tests only: run under automation (webdriver, HeadlessChrome). Never set this on a live site. */
  allowAutomation: boolean;
}

export const DEFAULTS: Omit<Options, 'site' | 'collector'> = {
  consent: 'none',
  onetrustCategory: 'C0004',
  gpc: true,
  formVisitorField: false,
  allowAutomation: false,
};

const MODES: readonly string[] = ['none', 'onetrust', 'manual'];

/** Applies the defaults; an unknown consent mode falls back to `manual`, the safe one. */
export function withDefaults(
  given: Partial<Options> & Pick<Options, 'site' | 'collector'>,
): Options {
  const options = { ...DEFAULTS, ...given };
  if (!MODES.includes(options.consent)) options.consent = 'manual';
  options.collector = options.collector.replace(/\/+$/, '');
  return options;
}

/**
 * Reads the snippet's attributes: `data-site`, `data-collector`, `data-consent`,
 * `data-onetrust-category`, `data-gpc="ignore"`, `data-form-visitor-field`, `data-allow-automation`
 * (through `dataset`, which names them as the options are named: `data-form-visitor-field` is
 * `formVisitorField`). Spelled out rather than mapped from DEFAULTS: this runs in the size-budgeted
 * snippet build.
 */
export function fromScript(script: HTMLElement, scriptOrigin: string): Options {
  const data = script.dataset;
  const on = (value?: string) => (value ?? 'false') !== 'false';
  const consent = data.consent || 'none';
  return {
    site: data.site || '',
    collector: (data.collector || scriptOrigin).replace(/\/+$/, ''),
    consent: (MODES.includes(consent) ? consent : 'manual') as ConsentMode,
    onetrustCategory: data.onetrustCategory || 'C0004',
    gpc: data.gpc !== 'ignore',
    formVisitorField: on(data.formVisitorField),
    allowAutomation: on(data.allowAutomation),
  };
}
