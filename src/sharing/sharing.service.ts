import { adviceService } from './advice.service.ts';
import { approvalService } from './approval.service.ts';
import { consentWithdrawnService } from './consent-withdrawn.service.ts';
import { decisionService } from './decision.service.ts';
import { decisionReadingService } from './decision.view.ts';
import { emergencyService } from './emergency.service.ts';
import { routineService } from './routine.service.ts';
import { sharingContext, type SharingDependencies } from './sharing.context.ts';

export { advisingRoles } from './decision.access.ts';
export type { SharingDependencies } from './sharing.context.ts';
export type {
  AdviceItem,
  AdviceRequestView,
  ApprovalItem,
  ApprovalView,
  DecisionListItem,
  DecisionView,
} from './sharing.model.ts';

/**
 * Sharing decisions (R2): one service, composed of its use cases. Reading a decision
 * (decision.view.ts), its draft, recording and addenda (decision.service.ts), advice
 * (advice.service.ts), approval (approval.service.ts) and the routine path under a sharing
 * agreement (routine.service.ts) share one context: the dependencies,
 * the access rules and the decision reader.
 */
export function sharingService(deps: SharingDependencies) {
  const context = sharingContext(deps);
  const decisions = decisionService(context);
  return {
    ...decisionReadingService(context),
    ...decisions,
    ...routineService(context, decisions),
    ...adviceService(context),
    ...approvalService(context),
    ...consentWithdrawnService(context),
    ...emergencyService(context),
  };
}

export type SharingService = ReturnType<typeof sharingService>;
