import * as fs from "fs";
import * as path from "path";
import { GENERATED_PAGES } from "./pages";

const root = path.join(__dirname, "..");
for (const page of GENERATED_PAGES) {
    fs.writeFileSync(path.join(root, page.path), page.render());
    console.log(`wrote ${page.path}`);
}
