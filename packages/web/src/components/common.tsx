import type { JourneyStep } from '@espresso/schemas';
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { errorMessage } from '../logic/errors';
import type { LiveState } from '../logic/live';
import { formatAge, formatCountdown, fractionLeft } from '../logic/time';

/** A failed call, in words; announced to screen readers. */
export const ErrorNote = ({ error }: { error: unknown }) =>
  error ? (
    <p class="error" role="alert">
      {errorMessage(error)}
    </p>
  ) : null;

const ICONS: Record<string, string> = {
  espresso: '☕',
  americano: '☕',
  'flat-white': '🥛',
  cappuccino: '☕',
  latte: '🥛',
  mocha: '🍫',
  'hot-chocolate': '🍫',
  tea: '🍵',
  'iced-coffee': '🧊',
};

/** The drink's icon (decorative: the name is always next to it). */
export const DrinkIcon = ({ icon }: { icon: string }) => (
  <span class="drink-icon" aria-hidden="true">
    {ICONS[icon] ?? '☕'}
  </span>
);

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
    <span class="confirm" role="group" aria-label={question}>
      <span>{question}</span>
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
    </span>
  );
};

const LIVE_TEXT: Record<LiveState, string> = {
  live: 'Live',
  connecting: 'Reconnecting…',
  polling: 'Auto-refresh',
};

export const LiveBadge = ({ state }: { state: LiveState }) => (
  <span class={`live-badge ${state}`} title="How this screen stays up to date">
    {LIVE_TEXT[state]}
  </span>
);

export const Panel = ({ title, children }: { title: string; children: ComponentChildren }) => (
  <section class="panel" aria-label={title}>
    <h2>{title}</h2>
    {children}
  </section>
);
