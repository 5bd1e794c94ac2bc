/**
 * Throughput of the pure method policy (source policy section 4): evaluations per second over a mix
 * of realistic questions (same organisation, trusted link, secure domains at both ends, one end
 * only, look-alike and malformed addresses, bulk and sensitive shares, every method), under the
 * default pack and the current pack.
 * Usage: npm run bench:method
 */
import { evaluateMethod, type MethodQuestion } from '../src/channels/index.ts';
import { loadPolicyPack, type ChannelMethodId } from '../src/policy/index.ts';

const organisations = [
  { id: 'swindon', domains: ['swindon.gov.uk', 'swindon.gcsx.gov.uk'] },
  { id: 'wiltshire', domains: ['wiltshire.gov.uk'] },
  { id: 'hospital', domains: ['gwh.nhs.uk'] },
  { id: 'trust', domains: ['trust.nhs.net'] },
  { id: 'police', domains: ['wiltshire.police.uk', 'wiltshire.pnn.police.uk'] },
];
const addresses: readonly [string, number | undefined][] = [
  ['duty.team@swindon.gov.uk', 0],
  ['mash@swindon.gcsx.gov.uk', 0],
  ['colleague.four@wiltshire.gov.uk', 1],
  ['safeguarding@gwh.nhs.uk', 2],
  ['named.nurse@trust.nhs.net', 3],
  ['officer@wiltshire.pnn.police.uk', 4],
  ['gp.practice@nhs.net', undefined],
  ['y@nhs.net.evil.com', undefined],
  ['y@notnhs.net', undefined],
  ['gp@nhs.n\u0435t', undefined],
  ['broken@@nhs.net', undefined],
];
const methods: readonly (ChannelMethodId | undefined)[] = [
  'email',
  'secure-email',
  undefined,
  'telephone',
  'post',
  'fax',
  'in-person',
  'secure-exchange',
];
const sensitivities = ['personal', 'special-category', 'confidential', undefined] as const;

const questions: MethodQuestion[] = [];
for (let index = 0; questions.length < 2000; index += 1) {
  const [from, senderIndex] = addresses[index % addresses.length] ?? ['a@swindon.gov.uk', 0];
  const [to, recipientIndex] = addresses[(index * 7 + 3) % addresses.length] ?? ['b@swindon.gov.uk', 0];
  const sender = senderIndex === undefined ? undefined : organisations[senderIndex];
  const recipient = recipientIndex === undefined ? undefined : organisations[recipientIndex];
  questions.push({
    method: methods[index % methods.length],
    sender: { organisationId: sender?.id, address: from },
    recipient: { organisationId: recipient?.id, address: to },
    directory: {
      senderDomains: sender?.domains ?? [],
      recipientDomains: recipient?.domains ?? [],
      trustedLink:
        (sender?.id === 'swindon' && recipient?.id === 'hospital') ||
        (sender?.id === 'hospital' && recipient?.id === 'swindon'),
    },
    sensitivity: sensitivities[index % sensitivities.length],
    people: index % 13 === 0 ? 250 : 1,
    passwordProtected: index % 5 === 0,
  });
}

for (const name of ['default', 'current']) {
  const pack = loadPolicyPack(name);
  let allowed = 0;
  let refusedInput = 0;
  for (const question of questions) {
    const answer = evaluateMethod(question, pack);
    if (!answer.ok) refusedInput += 1;
    else if (answer.advice.allowed) allowed += 1;
  }
  const rounds = 50;
  const started = performance.now();
  for (let round = 0; round < rounds; round += 1)
    for (const question of questions) evaluateMethod(question, pack);
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `method policy, ${name} pack: ${Math.round((rounds * questions.length) / seconds).toLocaleString('en-GB')} evaluations/s ` +
      `(${String(questions.length)} questions: ${String(allowed)} allowed, ${String(questions.length - allowed - refusedInput)} refused, ${String(refusedInput)} addresses refused)`,
  );
}
