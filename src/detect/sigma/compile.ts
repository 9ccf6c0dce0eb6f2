// placeholder, replaced below
import type { Reporter } from '../../config/diagnostics';
import type { CompiledRule } from '../rule';
import type { TNode } from '../yaml-tree';
export function compileSigma(root: TNode, _file: string, rep: Reporter): CompiledRule | null {
  rep.error('LW_ERR_SIGMA_UNSUPPORTED', 'Sigma rules are not supported yet', root.loc);
  return null;
}
