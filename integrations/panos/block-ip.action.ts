import { z } from 'zod';
import { defineAction, joinUrl, responseStatus } from '../core/define-action.js';
import { addressObjectName, blockInput, commitCandidate, ipNetmask, panosConfig, panosErrorText, panosHeaders, readGroupMembers, writeGroupMembers } from './panos-api.js';

export const blockOutput = z.object({
  ip: z.string(),
  addressObject: z.string(),
  group: z.string(),
  changed: z.boolean().describe('False when the address was already blocked'),
  commitJobId: z.string().nullable(),
});

export const blockIpAction = defineAction({
  key: 'panos.block_ip',
  vendor: 'panos',
  title: 'PAN-OS: block IP (address object in the blocked group)',
  docUrl: 'https://docs.paloaltonetworks.com/ngfw/api/pan-os-rest-api-use-cases/work-with-address-objects-rest-api',
  kind: 'containment',
  inverse: 'panos.unblock_ip',
  input: blockInput,
  output: blockOutput,
  secrets: ['apiKey'],
  describeTarget: (input) => `IP ${input.ip}`,
  async run(input, ctx) {
    const cfg = panosConfig(ctx);
    const name = addressObjectName(input.ip);
    let changed = false;
    try {
      await ctx.http.post(
        joinUrl(cfg.restBase, '/Objects/Addresses'),
        { entry: [{ '@name': name, 'ip-netmask': ipNetmask(input.ip), description: input.description ?? 'Blocked by Vigil' }] },
        { params: { ...cfg.locationParams, name }, headers: panosHeaders(ctx), signal: ctx.signal },
      );
      changed = true;
    } catch (err) {
      // The name is derived from the IP, so an existing object is this block from an earlier attempt.
      const notUnique = responseStatus(err) === 409 || /not unique|already exists/i.test(panosErrorText(err));
      if (!notUnique) throw err;
    }
    const members = await readGroupMembers(ctx, cfg);
    if (!members?.includes(name)) {
      await writeGroupMembers(ctx, cfg, [...(members ?? []), name], members !== undefined);
      changed = true;
    }
    const commitJobId = changed && cfg.commit ? await commitCandidate(ctx) : null;
    return { ip: input.ip, addressObject: name, group: cfg.group, changed, commitJobId };
  },
});
