/** Staff roles. A person can hold several. */
export const roles = [
  'practitioner',
  'manager',
  'caldicott_guardian',
  'dpo',
  'ig_lead',
  'child_protection_adviser',
  'it_service_desk',
  'auditor',
  'admin',
  'platform_operator',
] as const;

export type Role = (typeof roles)[number];

export const roleNames: Record<Role, string> = {
  practitioner: 'Practitioner',
  manager: 'Line manager',
  caldicott_guardian: 'Caldicott Guardian',
  dpo: 'Data Protection Officer',
  ig_lead: 'Information governance lead',
  child_protection_adviser: 'Child protection adviser',
  it_service_desk: 'IT service desk',
  auditor: 'Auditor',
  admin: 'Administrator',
  platform_operator: 'Platform operator (partner directory)',
};

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}
