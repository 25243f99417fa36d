import { defineAction, joinUrl, responseStatus } from '../core/define-action.js';
import { blockOutput } from './block-ip.action.js';
import { addressObjectName, blockInput, commitCandidate, panosConfig, panosErrorText, panosHeaders, readGroupMembers, writeGroupMembers } from './panos-api.js';

export const unblockIpAction = defineAction({
  key: 'panos.unblock_ip',
  vendor: 'panos',
  title: 'PAN-OS: unblock IP (remove from the blocked group)',
  docUrl: 'https://docs.paloaltonetworks.com/ngfw/api/pan-os-rest-api-use-cases/work-with-address-objects-rest-api',
  kind: 'containment',
  inverse: 'panos.block_ip',
  input: blockInput,
  output: blockOutput,
  secrets: ['apiKey'],
  describeTarget: (input) => `IP ${input.ip}`,
  async run(input, ctx) {
    const cfg = panosConfig(ctx);
    const name = addressObjectName(input.ip);
    let changed = false;
    const members = await readGroupMembers(ctx, cfg);
    if (members?.includes(name)) {
      await writeGroupMembers(
        ctx,
        cfg,
        members.filter((m) => m !== name),
        true,
      );
      changed = true;
    }
    try {
      await ctx.http.delete(joinUrl(cfg.restBase, '/Objects/Addresses'), {
        params: { ...cfg.locationParams, name },
        headers: panosHeaders(ctx),
        signal: ctx.signal,
      });
      changed = true;
    } catch (err) {
      const status = responseStatus(err);
      const text = panosErrorText(err);
      // Gone already (an earlier attempt), or still referenced elsewhere by the admin: the block is lifted either way.
      const absent = status === 404 || /not present|not found/i.test(text);
      const referenced = /reference/i.test(text);
      if (!absent && !referenced) throw err;
    }
    const commitJobId = changed && cfg.commit ? await commitCandidate(ctx) : null;
    return { ip: input.ip, addressObject: name, group: cfg.group, changed, commitJobId };
  },
});
