/**
 * Throughput of the pure consent check (golden rule 4): evaluations per second for a person with a
 * realistic history of consent records (given, reviewed, withdrawn, refused, superseded).
 * Usage: npm run bench:consent
 */
import { randomUUID } from 'node:crypto';
import { checkConsent, type CheckableConsent, type ConsentStatus } from '../src/consent/index.ts';

const personId = randomUUID();
const purposes = ['early-help', 'child-in-need', 'education-support', 'health-care', 'safeguarding'];
const categories = [
  'education',
  'health',
  'social-care',
  'family-circumstances',
  'address',
  'parent-criminal-record',
];
const organisations = Array.from({ length: 6 }, () => randomUUID());
const statuses: ConsentStatus[] = ['given', 'given', 'given', 'refused', 'withdrawn', 'superseded'];

function history(size: number): CheckableConsent[] {
  return Array.from({ length: size }, (_, index) => {
    const status = statuses[index % statuses.length] ?? 'given';
    const year = 2020 + (index % 6);
    return {
      id: randomUUID(),
      personId,
      status,
      purposeIds: [
        purposes[index % purposes.length] ?? 'early-help',
        purposes[(index + 1) % purposes.length] ?? 'safeguarding',
      ],
      recipientOrganisationIds: organisations.slice(0, 1 + (index % organisations.length)),
      recipientRoles: ['school nurse'],
      methodIds: ['secure-exchange', 'telephone'],
      categoryIds: categories.slice(0, 2 + (index % 4)),
      givenOn: `${year}-0${1 + (index % 9)}-15`,
      reviewOn: `${year + 1}-0${1 + (index % 9)}-15`,
      expiresOn: null,
      createdAt: new Date(`${year}-01-01T00:00:00Z`),
      withdrawal: status === 'withdrawn' ? { on: `${year}-11-01` } : null,
    };
  });
}

for (const size of [1, 10, 50]) {
  const records = history(size);
  const requests = Array.from({ length: 1000 }, (_, index) => ({
    personId,
    purposeId: purposes[index % purposes.length] ?? 'early-help',
    recipientOrganisationId: organisations[index % organisations.length] ?? '',
    categoryIds: categories.slice(0, 1 + (index % 3)),
    on: '2026-11-30',
  }));
  for (const request of requests) checkConsent(records, request); // warm up
  const rounds = 200;
  const started = performance.now();
  for (let round = 0; round < rounds; round += 1)
    for (const request of requests) checkConsent(records, request);
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `consent check, ${size} record(s) per person: ${Math.round((rounds * requests.length) / seconds).toLocaleString('en-GB')} checks/s`,
  );
}
