import { renderConfigReference } from "../components/reference";
import { renderPolicyReference } from "../policies/reference";

/** The reference pages generated from the code that holds their facts; `npm run docs` writes them, tests/docs.spec.ts keeps them current. */
export interface GeneratedPage {
    /** Path from the repository root. */
    path: string;
    render(): string;
}

export const GENERATED_PAGES: GeneratedPage[] = [
    { path: "docs/config.md", render: renderConfigReference },
    { path: "docs/policies.md", render: renderPolicyReference },
];
