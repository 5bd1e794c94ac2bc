import type { Role } from '../auth/index.ts';
import type { Mailbox, OrganisationDetails } from '../orgs/index.ts';

/**
 * Demo data for trying Safeshare: a council, its neighbour, a hospital trust, a police force, a
 * school and a voluntary-sector provider, one member of staff per role, and two invented families. Every demo account is
 * marked demo. Names, numbers and addresses are fictional (Ofcom drama telephone numbers).
 */
export interface DemoOrganisation extends OrganisationDetails {
  readonly key: string;
  readonly domains: readonly string[];
  /** Its own addresses at domains many organisations share (nhs.net): never the whole domain (ADR 0018). */
  readonly mailboxes?: readonly Mailbox[];
  readonly faxNumbers: readonly { label: string; number: string }[];
  readonly address: { label: string; line1: string; line2: string | null; town: string; postcode: string };
}

export const organisations: readonly DemoOrganisation[] = [
  {
    key: 'council',
    name: 'Swindon Borough Council',
    kind: 'local_authority',
    switchboardPhone: '01632960001',
    hosted: true,
    domains: ['swindon.gov.uk', 'swindon.gcsx.gov.uk'],
    faxNumbers: [{ label: "Children's social care", number: '01632960101' }],
    address: {
      label: 'Civic Offices',
      line1: 'Civic Offices, Euclid Street',
      line2: null,
      town: 'Swindon',
      postcode: 'SN1 2JH',
    },
  },
  {
    key: 'neighbour',
    name: 'Wiltshire Council',
    kind: 'local_authority',
    switchboardPhone: '01632960002',
    hosted: false,
    domains: ['wiltshire.gov.uk'],
    faxNumbers: [],
    address: {
      label: 'County Hall',
      line1: 'County Hall, Bythesea Road',
      line2: null,
      town: 'Trowbridge',
      postcode: 'BA14 8JN',
    },
  },
  {
    key: 'hospital',
    name: 'Great Western Hospitals NHS Foundation Trust',
    kind: 'nhs_body',
    switchboardPhone: '01632960003',
    hosted: true,
    domains: ['gwh.nhs.uk'],
    mailboxes: [
      { label: 'Safeguarding children team', address: 'gwh.safeguardingchildren@nhs.net' },
      { label: 'Jo Evans, health visitor', address: 'jo.evans@nhs.net' },
    ],
    faxNumbers: [{ label: 'Safeguarding team', number: '01632960103' }],
    address: {
      label: 'Great Western Hospital',
      line1: 'Great Western Hospital, Marlborough Road',
      line2: null,
      town: 'Swindon',
      postcode: 'SN3 6BB',
    },
  },
  {
    key: 'police',
    name: 'Wiltshire Police',
    kind: 'police',
    switchboardPhone: '01632960004',
    hosted: false,
    domains: ['wiltshire.police.uk', 'wiltshire.pnn.police.uk'],
    faxNumbers: [],
    address: {
      label: 'Headquarters',
      line1: 'Police Headquarters, London Road',
      line2: null,
      town: 'Devizes',
      postcode: 'SN10 2DN',
    },
  },
  {
    key: 'school',
    name: 'Oakfield Primary School',
    kind: 'school',
    switchboardPhone: '01632960005',
    hosted: false,
    domains: ['oakfield.swindon.sch.uk'],
    faxNumbers: [],
    address: {
      label: 'School office',
      line1: 'Oakfield Primary School, Oak Lane',
      line2: null,
      town: 'Swindon',
      postcode: 'SN2 1AA',
    },
  },
  {
    key: 'voluntary',
    name: 'Swindon Family Support Trust',
    kind: 'voluntary',
    switchboardPhone: '01632960006',
    hosted: false,
    domains: ['swindonfamilysupport.org.uk'],
    faxNumbers: [],
    address: {
      label: 'Family centre',
      line1: 'The Family Centre, 12 Station Road',
      line2: null,
      town: 'Swindon',
      postcode: 'SN1 1AB',
    },
  },
];

export interface DemoPerson {
  readonly organisation: string;
  readonly email: string;
  readonly displayName: string;
  readonly jobTitle: string;
  readonly roles: readonly Role[];
  readonly managedBy?: string;
}

export const staff: readonly DemoPerson[] = [
  {
    organisation: 'council',
    email: 'alex.morgan@swindon.gov.uk',
    displayName: 'Alex Morgan',
    jobTitle: 'Systems administrator',
    roles: ['admin'],
  },
  {
    organisation: 'council',
    email: 'tom.hughes@swindon.gov.uk',
    displayName: 'Tom Hughes',
    jobTitle: 'Team manager, children in need',
    roles: ['manager'],
  },
  {
    organisation: 'council',
    email: 'priya.sharma@swindon.gov.uk',
    displayName: 'Priya Sharma',
    jobTitle: 'Social worker',
    roles: ['practitioner'],
    managedBy: 'tom.hughes@swindon.gov.uk',
  },
  {
    organisation: 'council',
    email: 'daniel.price@swindon.gov.uk',
    displayName: 'Daniel Price',
    jobTitle: 'Social worker',
    roles: ['practitioner'],
    managedBy: 'tom.hughes@swindon.gov.uk',
  },
  {
    organisation: 'council',
    email: 'chloe.bennett@swindon.gov.uk',
    displayName: 'Chloe Bennett',
    jobTitle: 'Family support worker',
    roles: ['practitioner'],
    managedBy: 'tom.hughes@swindon.gov.uk',
  },
  {
    organisation: 'council',
    email: 'helen.carter@swindon.gov.uk',
    displayName: 'Dr Helen Carter',
    jobTitle: 'Caldicott Guardian',
    roles: ['caldicott_guardian'],
  },
  {
    organisation: 'council',
    email: 'marcus.bell@swindon.gov.uk',
    displayName: 'Marcus Bell',
    jobTitle: 'Data Protection Officer',
    roles: ['dpo'],
  },
  {
    organisation: 'council',
    email: 'nadia.hussain@swindon.gov.uk',
    displayName: 'Nadia Hussain',
    jobTitle: 'Child protection adviser',
    roles: ['child_protection_adviser'],
  },
  {
    organisation: 'council',
    email: 'aisha.khan@swindon.gov.uk',
    displayName: 'Aisha Khan',
    jobTitle: 'Information governance lead',
    roles: ['ig_lead'],
  },
  {
    organisation: 'council',
    email: 'sam.lee@swindon.gov.uk',
    displayName: 'Sam Lee',
    jobTitle: 'IT service desk analyst',
    roles: ['it_service_desk'],
  },
  {
    organisation: 'council',
    email: 'grace.okafor@swindon.gov.uk',
    displayName: 'Grace Okafor',
    jobTitle: 'Internal auditor',
    roles: ['auditor'],
  },
  // Keeps the partner directory every hosted organisation shares; no access to records or to staff accounts (ADR 0011).
  {
    organisation: 'council',
    email: 'ben.walker@swindon.gov.uk',
    displayName: 'Ben Walker',
    jobTitle: 'Partner directory operator',
    roles: ['platform_operator'],
  },
  {
    organisation: 'hospital',
    email: 'jo.evans@nhs.net',
    displayName: 'Jo Evans',
    jobTitle: 'Health visitor',
    roles: ['practitioner'],
  },
];

/**
 * How many days ago each demo account completed data protection training (R1.1, R2.2), so that the
 * manager's team page shows a mix: Priya Sharma's is current, Daniel Price's has lapsed and Chloe
 * Bennett has none recorded; Jo Evans's expires within 30 days under the default pack's 12 months.
 */
export const trainingDaysAgo: Readonly<Record<string, number>> = {
  'tom.hughes@swindon.gov.uk': 150,
  'priya.sharma@swindon.gov.uk': 60,
  'daniel.price@swindon.gov.uk': 400,
  'helen.carter@swindon.gov.uk': 200,
  'marcus.bell@swindon.gov.uk': 90,
  'aisha.khan@swindon.gov.uk': 250,
  'jo.evans@nhs.net': 350,
};
