import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { GENERATED_PAGES } from "../docs/pages";

const root = path.join(__dirname, "..");

describe("generated reference pages", () => {
    for (const page of GENERATED_PAGES) {
        it(`${page.path} is current (npm run docs rewrites it)`, () => {
            const committed = fs.readFileSync(path.join(root, page.path), "utf8");
            assert.ok(committed === page.render(), `${page.path} is stale: run npm run docs and commit the result`);
        });
    }
});
