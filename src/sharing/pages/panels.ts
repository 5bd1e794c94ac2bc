import { sharingPaths } from '../sharing.paths.ts';
import { approvalKindNames } from '../sharing.rules.ts';
import type { DecisionView } from '../sharing.service.ts';
import { approvalStatusNames, approvalStatusTags, approverName, approverList } from './names.ts';

/** The advice and approvals beside a decision, on its overview, check your answers and record sheet. */

export function approvalsPanel(view: DecisionView) {
  return {
    needed: view.assessment.approvals.map((approval) => ({
      kind: approvalKindNames[approval.kind],
      approvers: approverList(approval.approvers),
      status: approvalStatusNames[approval.status],
      tag: approvalStatusTags[approval.status],
    })),
    history: view.approvals.map((approval) => ({
      id: approval.id,
      kind: approvalKindNames[approval.kind],
      approvers: approverList(approval.approvers),
      status: approvalStatusNames[approval.status],
      tag: approvalStatusTags[approval.status],
      requestedByName: approval.requestedByName,
      requestedAt: approval.requestedAt,
      decidedByName: approval.decidedByName,
      decidedAt: approval.decidedAt,
      reason: approval.reason,
    })),
  };
}

export function advicePanel(view: DecisionView) {
  return view.advice.map((advice) => ({
    id: advice.id,
    path: sharingPaths.advice(advice.id),
    adviser: approverName(advice.adviser),
    anonymised: advice.anonymised,
    question: advice.question,
    open: advice.status === 'open',
    answer: advice.answer,
    askedByName: advice.askedByName,
    askedAt: advice.askedAt,
    answeredByName: advice.answeredByName,
    answeredAt: advice.answeredAt,
    // R2.15: asked after the decision was recorded (choosing the method, sending).
    afterRecording: view.recordedAt !== null && advice.askedAt > view.recordedAt,
  }));
}
