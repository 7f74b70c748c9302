import * as assert from "assert/strict";
import { DATABASE_DEFAULTS } from "../../components/database";
import { CONFIG_DESCRIPTIONS, configKeys, renderConfigReference } from "../../components/reference";

describe("config reference (docs/config.md)", () => {
    it("describes every key of the schema, and only those", () => {
        const keys = configKeys().map((k) => k.key);
        assert.deepEqual(
            keys.filter((key) => !CONFIG_DESCRIPTIONS[key]),
            [],
            "keys without a description in components/reference.ts",
        );
        assert.deepEqual(
            Object.keys(CONFIG_DESCRIPTIONS).filter((key) => !keys.includes(key)),
            [],
            "descriptions of keys the schema does not have",
        );
    });

    it("shows each key's default from its component's defaults object, its range, what production holds and where secrets go", () => {
        const page = renderConfigReference();
        const row = (key: string) => page.split("\n").find((line) => line.startsWith(`| \`${key}\` |`)) ?? assert.fail(`no row for ${key}`);
        assert.match(row("database.instanceClass"), new RegExp(`\\| \`"${DATABASE_DEFAULTS.instanceClass.replace(/\./g, "\\.")}"\` \\|`));
        assert.match(row("database.backupRetentionDays"), /\| integer \| `14` \| 1 to 35 \| held \|/);
        assert.match(row("network.natGateways"), /\| `"perAz"` \| `perAz`, `single` \| held \|/);
        assert.match(row("budget.monthlyLimitUsd"), /\| required \|/);
        assert.match(row("apiKeys"), /\| always \|/);
        assert.match(row("services[].env"), /\| values may be \|/);
        assert.match(row("services[].replicas"), /\| held \|/);
        assert.match(
            page,
            /\| a governance-mode vault lock.* \| `backup\.vaultLock\.mode` \| .* \| `backup-vault-locked`: `\{"requireComplianceMode":false\}` \|/,
        );
    });
});
