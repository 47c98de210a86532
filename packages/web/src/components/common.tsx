import type { JourneyStep } from '@espresso/schemas';
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { errorMessage } from '../logic/errors';
import { type LiveState, liveMode } from '../logic/live';
import { formatAge, formatCountdown, fractionLeft } from '../logic/time';

/** A failed call, in words; announced to screen readers. */
export const ErrorNote = ({ error }: { error: unknown }) =>
  error ? (
    <p class="error" role="alert">
      {errorMessage(error)}
    </p>
  ) : null;

/** Each icon slug's liquid and foam colours; an unknown slug gets a plain coffee cup. */
const ICONS: Record<string, { liquid: string; foam?: string; tall?: boolean }> = {
  espresso: { liquid: '#3b2417' },
  americano: { liquid: '#5a3520', tall: true },
  'flat-white': { liquid: '#b7835a', foam: '#f3e6d6' },
  cappuccino: { liquid: '#9a6a45', foam: '#fbf3ea' },
  latte: { liquid: '#caa27c', foam: '#f6ebdd', tall: true },
  mocha: { liquid: '#5b3a29', foam: '#e9d8c4', tall: true },
  'hot-chocolate': { liquid: '#4a2a1a', foam: '#f0e2d2', tall: true },
  tea: { liquid: '#a8742a', tall: true },
};

/** The drink's icon, drawn in SVG (decorative: the name is always next to it). */
export const DrinkIcon = ({ icon }: { icon: string }) => {
  const { liquid, foam, tall } = ICONS[icon] ?? { liquid: '#6b4226' };
  const top = tall ? 6 : 14;
  return (
    <svg class="drink-icon" viewBox="0 0 48 48" width="48" height="48" aria-hidden="true">
      <path
        d={`M8 ${top} h28 l-3 28 a4 4 0 0 1 -4 3.5 h-14 a4 4 0 0 1 -4 -3.5 z`}
        fill="#fff"
        stroke="#3b2417"
        stroke-width="2"
      />
      <path
        d={`M10 ${top + 4} h24 l-2.4 22 a3 3 0 0 1 -3 2.5 h-13.2 a3 3 0 0 1 -3 -2.5 z`}
        fill={liquid}
      />
      {foam ? <ellipse cx="22" cy={top + 5} rx="11" ry="3" fill={foam} /> : null}
      <path
        d={`M36 ${top + 6} h3 a5 5 0 0 1 0 10 h-4`}
        fill="none"
        stroke="#3b2417"
        stroke-width="2.5"
      />
    </svg>
  );
};

export const Countdown = ({
  secondsLeft,
  totalSeconds,
  label,
}: {
  secondsLeft: number;
  totalSeconds: number;
  label: string;
}) => (
  <div class="countdown" data-testid="countdown">
    <div class="countdown-text">
      <span>{label}</span> <strong>{formatCountdown(secondsLeft)}</strong>
    </div>
    <progress
      max={totalSeconds}
      value={secondsLeft}
      aria-label={`${label}: ${formatCountdown(secondsLeft)}`}
      class={fractionLeft(secondsLeft, totalSeconds) < 0.2 ? 'low' : ''}
    />
  </div>
);

/** The order's journey: the workflow's steps with their times. */
export const Timeline = ({ steps }: { steps: JourneyStep[] }) =>
  steps.length === 0 ? (
    <p class="muted">The journey starts as soon as the workflow picks up the order.</p>
  ) : (
    <ol class="timeline" data-testid="journey">
      {steps.map((step) => {
        const entered = new Date(step.enteredAt);
        const took = step.exitedAt
          ? formatAge((Date.parse(step.exitedAt) - entered.getTime()) / 1000)
          : 'now';
        return (
          <li key={`${step.name}-${step.enteredAt}`}>
            <time dateTime={step.enteredAt}>{entered.toLocaleTimeString()}</time>{' '}
            <span class="step">{step.name}</span> <span class="muted">({took})</span>
          </li>
        );
      })}
    </ol>
  );

/** A button that asks "sure?" in place before it acts (no modal to trap focus). */
export const ConfirmButton = ({
  label,
  question,
  onConfirm,
  disabled,
  class: className,
}: {
  label: string;
  question: string;
  onConfirm: () => void;
  disabled?: boolean;
  class?: string;
}) => {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button
        type="button"
        class={className ?? 'danger'}
        disabled={disabled}
        onClick={() => setAsking(true)}
      >
        {label}
      </button>
    );
  }
  return (
    <fieldset class="confirm">
      <legend>{question}</legend>
      <button
        type="button"
        class="danger"
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        Yes, {label.toLowerCase()}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        No
      </button>
    </fieldset>
  );
};

const LIVE_TEXT: Record<LiveState, string> = {
  live: 'Live',
  connecting: 'Reconnecting…',
  polling: 'Auto-refresh',
};

/**
 * How the screen stays current, also in the DOM for tests and support: `data-live` is `push`
 * (the WebSocket is up) or `poll`, `data-live-last` the type of the last pushed message.
 */
export const LiveBadge = ({ state, last }: { state: LiveState; last?: string | undefined }) => (
  <span
    class={`live-badge ${state}`}
    title="How this screen stays up to date"
    data-testid="live"
    data-live={liveMode(state)}
    data-live-last={last}
  >
    {LIVE_TEXT[state]}
  </span>
);

export const Panel = ({ title, children }: { title: string; children: ComponentChildren }) => (
  <section class="panel" aria-label={title}>
    <h2>{title}</h2>
    {children}
  </section>
);
