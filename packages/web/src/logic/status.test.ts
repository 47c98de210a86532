import type { Order } from '@espresso/schemas';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { customerMayCancel, customerStatus, statusLabel } from './status';

type Facts = Pick<Order, 'status' | 'orderNumber' | 'reason'> & Partial<Pick<Order, 'drinkId'>>;

describe('customerStatus', () => {
  (
    [
      {
        name: 'asks to choose while the workflow waits',
        order: { status: 'AWAITING_SELECTION' },
        label: 'Choose your drink',
        tone: 'waiting',
      },
      {
        name: 'says the choice was received while the shop takes it (PUT answered 202)',
        order: { status: 'AWAITING_SELECTION', drinkId: 'latte' },
        label: 'Choice received',
        detail: /joins the queue/,
        tone: 'waiting',
      },
      {
        name: 'says queued without a number until it is given',
        order: { status: 'QUEUED' },
        label: 'Queued',
        detail: /number is on its way/,
        tone: 'waiting',
      },
      {
        name: 'shows the queue number',
        order: { status: 'QUEUED', orderNumber: 7 },
        label: 'Queued #7',
        detail: /big screen/,
        tone: 'waiting',
      },
      {
        name: 'says being made once claimed',
        order: { status: 'IN_PROGRESS', orderNumber: 7 },
        label: 'Being made #7',
        tone: 'active',
      },
      {
        name: 'says ready when completed',
        order: { status: 'COMPLETED', orderNumber: 7 },
        label: 'Ready #7',
        detail: /ready for collection/,
        tone: 'done',
      },
      {
        name: 'tells a customer who cancelled',
        order: { status: 'CANCELLED', reason: 'CANCELLED_BY_CUSTOMER' },
        label: 'Cancelled',
        detail: /You cancelled/,
        tone: 'ended',
      },
      {
        name: 'tells a customer a barista cancelled',
        order: { status: 'CANCELLED', reason: 'CANCELLED_BY_BARISTA' },
        label: 'Cancelled',
        detail: /barista cancelled/,
        tone: 'ended',
      },
      {
        name: 'explains a customer timeout',
        order: { status: 'TIMED_OUT', reason: 'CUSTOMER_TIMEOUT' },
        label: 'Timed out',
        detail: /before a drink was chosen/,
        tone: 'ended',
      },
      {
        name: 'explains a barista timeout',
        order: { status: 'TIMED_OUT', reason: 'BARISTA_TIMEOUT' },
        label: 'Timed out',
        detail: /could not get to your drink/,
        tone: 'ended',
      },
      {
        name: 'explains a closed shop',
        order: { status: 'REJECTED', reason: 'CLOSED' },
        label: 'Not accepted',
        detail: /shop is closed/,
        tone: 'ended',
      },
      {
        name: 'explains a full shop',
        order: { status: 'REJECTED', reason: 'AT_CAPACITY' },
        label: 'Not accepted',
        detail: /at capacity/,
        tone: 'ended',
      },
      {
        name: 'still says something without a reason',
        order: { status: 'TIMED_OUT' },
        label: 'Timed out',
        detail: /timed out/,
        tone: 'ended',
      },
    ] as { name: string; order: Facts; label: string; detail?: RegExp; tone: string }[]
  ).forEach((c) => {
    it(c.name, () => {
      const view = customerStatus(c.order);
      expect(view.label).to.equal(c.label);
      expect(view.tone).to.equal(c.tone);
      if (c.detail) expect(view.detail).to.match(c.detail);
    });
  });

  it('has a short label for every status', () => {
    expect(statusLabel('IN_PROGRESS')).to.equal('Being made');
    expect(statusLabel('COMPLETED')).to.equal('Ready');
  });

  it('lets the customer cancel only until a barista claims the order', () => {
    expect(customerMayCancel('AWAITING_SELECTION')).to.equal(true);
    expect(customerMayCancel('QUEUED')).to.equal(true);
    expect(customerMayCancel('IN_PROGRESS')).to.equal(false);
    expect(customerMayCancel('COMPLETED')).to.equal(false);
  });
});
