// Balancing: after an insert or delete leaves pages overfull or underfull,
// redistribute cells among up to three siblings (SQLite's balance_nonroot
// idea), growing the tree at the root (balance_deeper) or shrinking it when
// the root is left with a single child.
//
// Invariants kept:
// - The root page number of a tree never changes: when the root overflows its
//   content moves to a new child; when it has one child left, the child's
//   content moves up (if it fits, which can fail only for page 1's smaller room).
// - After `rebalance`, no page on the path is overfull, and every non-root page
//   on it is at least a third full unless its siblings could not be merged
//   further; every non-root page holds at least one cell.
// - Divider semantics: table interior keys are the largest rowid of their left
//   subtree; index interior cells are real entries that sort between subtrees.

import type { TreeWriter } from "./context.js";
import { PAGE_INDEX_INTERIOR, PAGE_INDEX_LEAF, PAGE_TABLE_INTERIOR, PAGE_TABLE_LEAF } from "./format.js";
import { corrupt, type BtreePage } from "./page.js";
import { buildTableInteriorCell, toIndexInteriorCell, toIndexLeafCell } from "./payload.js";
import { readVarint, writeU32 } from "./varint.js";

function isUnderfull(page: BtreePage): boolean {
  return page.usedBytes * 3 < page.usable - page.headerSize || page.cellCount === 0;
}

/**
 * Restores the invariants along a root-to-leaf path after the page at the
 * bottom changed. `pages[i]` is the page number at depth i, `childIndex[i]` the
 * child of `pages[i]` taken to reach depth i+1. `append` hints that the change
 * was an append at the right edge (pack left pages full, as balance_quick does).
 */
export function rebalance(ctx: TreeWriter, pages: readonly number[], childIndex: readonly number[], append: boolean): void {
  for (let level = pages.length - 1; level > 0; level--) {
    const page = ctx.page(pages[level]);
    if (!page.isMutable) continue;
    const overfull = page.freeSpace() < 0;
    if (overfull && append && page.type === PAGE_TABLE_LEAF) {
      const parent = ctx.writable(pages[level - 1]);
      if (childIndex[level - 1] === parent.cellCount) {
        balanceQuick(ctx, parent, page);
        continue;
      }
    }
    if (overfull || isUnderfull(page)) {
      balanceSiblings(ctx, ctx.writable(pages[level - 1]), childIndex[level - 1], append, overfull);
    }
  }
  // Only an overfull root or an interior root left with no cells needs work;
  // leave the root untouched otherwise so it is not rewritten at commit.
  const root = ctx.page(pages[0]);
  if (root.isMutable && root.freeSpace() < 0) {
    balanceDeeper(ctx, root);
    balanceSiblings(ctx, root, 0, append, true);
  }
  if (!root.isLeaf && root.cellCount === 0) collapseRoot(ctx, ctx.writable(pages[0]));
}

/**
 * SQLite's balance_quick: a row appended to the rightmost leaf of a table
 * overflowed it, so the new row moves alone to a new rightmost leaf (the
 * leaf is as it was before the append, full). Bulk loads in rowid order then
 * leave full pages behind, touching only the leaf and its parent per split.
 */
function balanceQuick(ctx: TreeWriter, parent: BtreePage, leaf: BtreePage): void {
  const cell = leaf.removeCell(leaf.cellCount - 1);
  const right = ctx.newPage(PAGE_TABLE_LEAF);
  right.insertCell(0, cell);
  const divider = leaf.rowidAt(leaf.cellCount - 1);
  parent.insertCell(parent.cellCount, buildTableInteriorCell(leaf.pageNo, divider), divider);
  parent.setChild(parent.cellCount, right.pageNo);
  // Appends go on in the new leaf: lay the full one out now instead of keeping its cells until commit.
  ctx.settle(leaf.pageNo);
}

/** Moves an overfull root's content into a new child; the root becomes interior with no cells. */
function balanceDeeper(ctx: TreeWriter, root: BtreePage): void {
  const child = ctx.newPage(root.type);
  child.setCells([...root.cellList()], root.type, root.rightChild);
  const interior = root.type === PAGE_TABLE_LEAF || root.type === PAGE_TABLE_INTERIOR ? PAGE_TABLE_INTERIOR : PAGE_INDEX_INTERIOR;
  root.setCells([], interior, child.pageNo);
}

/** While the root is interior with no cells, pull its only child up (if it fits). */
function collapseRoot(ctx: TreeWriter, root: BtreePage): void {
  while (!root.isLeaf && root.cellCount === 0) {
    const child = ctx.writable(root.rightChild);
    if (child.usedBytes > child.usable - root.headerOffset - child.headerSize) return;
    root.setCells([...child.cellList()], child.type, child.rightChild);
    ctx.freePage(child.pageNo);
  }
}

/**
 * Redistributes the cells of child `childIdx` of `parent` and up to two of its
 * siblings (plus the dividers between them) over as few pages as hold them
 * (see `distribute`); `overfull` says the child overflowed rather than emptied.
 */
function balanceSiblings(ctx: TreeWriter, parent: BtreePage, childIdx: number, append: boolean, overfull: boolean): void {
  const nChildren = parent.cellCount + 1;
  const nOld = Math.min(3, nChildren);
  const first = Math.max(0, Math.min(childIdx - 1, nChildren - nOld));
  const old: BtreePage[] = [];
  for (let j = 0; j < nOld; j++) old.push(ctx.writable(parent.childAt(first + j)));
  const type = old[0].type;
  const leafData = type === PAGE_TABLE_LEAF;
  const cells: Uint8Array[] = [];
  for (let j = 0; j < nOld; j++) {
    if (old[j].type !== type) corrupt(`sibling pages ${old[0].pageNo} and ${old[j].pageNo} differ in type`);
    for (const c of old[j].cellList()) cells.push(c);
    if (j < nOld - 1) {
      const divider = parent.cellList()[first + j];
      if (type === PAGE_TABLE_INTERIOR) cells.push(buildTableInteriorCell(old[j].rightChild, readVarint(divider, 4)));
      else if (type === PAGE_INDEX_LEAF) cells.push(toIndexLeafCell(divider));
      else if (type === PAGE_INDEX_INTERIOR) {
        const moved = divider.slice();
        writeU32(moved, 0, old[j].rightChild);
        cells.push(moved);
      }
    }
  }
  const lastRight = old[nOld - 1].rightChild;
  const ends = distribute(cells, old[0].usable - old[0].headerSize, leafData, append, overfull);

  const newPages: BtreePage[] = [];
  for (let k = 0; k < ends.length; k++) newPages.push(k < nOld ? old[k] : ctx.newPage(type));
  for (let k = ends.length; k < nOld; k++) ctx.freePage(old[k].pageNo);

  const dividers: Uint8Array[] = [];
  let start = 0;
  for (let k = 0; k < ends.length; k++) {
    const end = ends[k];
    const page = newPages[k];
    const own = cells.slice(start, end);
    const isLast = k === ends.length - 1;
    if (leafData) {
      page.setCells(own, type, 0);
      if (!isLast) dividers.push(buildTableInteriorCell(page.pageNo, page.rowidAt(own.length - 1)));
      start = end;
      continue;
    }
    const divider = isLast ? undefined : cells[end];
    if (type === PAGE_INDEX_LEAF) {
      page.setCells(own, type, 0);
      if (divider) dividers.push(toIndexInteriorCell(divider, page.pageNo, page.usable));
    } else {
      // Interior: the divider's child pointer becomes this page's right child.
      const right = divider ? readChild(divider) : lastRight;
      page.setCells(own, type, right);
      if (divider) {
        if (type === PAGE_TABLE_INTERIOR) dividers.push(buildTableInteriorCell(page.pageNo, readVarint(divider, 4)));
        else {
          const up = divider.slice();
          writeU32(up, 0, page.pageNo);
          dividers.push(up);
        }
      }
    }
    start = end + 1;
  }

  for (let j = 0; j < nOld - 1; j++) parent.removeCell(first);
  for (let k = 0; k < dividers.length; k++) parent.insertCell(first + k, dividers[k]);
  parent.setChild(first + dividers.length, newPages[newPages.length - 1].pageNo);
}

function readChild(cell: Uint8Array): number {
  return cell[0] * 0x100_0000 + ((cell[1] << 16) | (cell[2] << 8) | cell[3]);
}

/**
 * Greedy packing: each page takes cells while they fit in `limit` bytes (cell +
 * 2-byte pointer), and always at least one cell if it fits in `capacity`.
 */
function pack(cells: Uint8Array[], limit: number, capacity: number, leafData: boolean): number[] {
  const ends: number[] = [];
  let i = 0;
  while (i < cells.length) {
    let used = 0;
    const begin = i;
    while (i < cells.length && used + cells[i].length + 2 <= limit) used += cells[i++].length + 2;
    if (i === begin) {
      if (cells[i].length + 2 > capacity) corrupt("cell larger than a page");
      i++;
    }
    ends.push(i);
    if (!leafData && i < cells.length) {
      i++;
      if (i === cells.length) {
        // The last cell became a divider with nothing to its right: give it a page.
        ends[ends.length - 1]--;
        ends.push(cells.length);
      }
    }
  }
  if (ends.length === 0) ends.push(0);
  return ends;
}

/** Pages packed fuller than this after an overflow get one more sibling, so the next inserts find room. */
const SPLIT_FILL = 0.9;

/**
 * Splits `cells` into consecutive pages of at most `capacity` bytes. Returns
 * the exclusive end index of each page's cells; without `leafData` the cell at
 * each end index (but the last) is the divider that moves up. With `append`
 * pages are packed full (ascending inserts never come back to them). Otherwise,
 * after an overflow (`overfull`) that would leave the siblings almost full, one
 * more page is used, and pages are evened out from the right so that a split
 * leaves half-full pages rather than a full one and a nearly empty one.
 */
function distribute(cells: Uint8Array[], capacity: number, leafData: boolean, append: boolean, overfull: boolean): number[] {
  const size = (i: number) => cells[i].length + 2;
  let ends = pack(cells, capacity, capacity, leafData);
  if (append) return ends;
  if (overfull) {
    let total = 0;
    for (let j = 0; j < cells.length; j++) total += size(j);
    if (total > SPLIT_FILL * capacity * ends.length) {
      ends = pack(cells, Math.min(capacity, Math.ceil(total / (ends.length + 1)) + 8), capacity, leafData);
    }
  }
  for (let k = ends.length - 1; k > 0; k--) {
    const leftStart = k === 1 ? 0 : ends[k - 2] + (leafData ? 0 : 1);
    let left = 0;
    for (let j = leftStart; j < ends[k - 1]; j++) left += size(j);
    let right = 0;
    for (let j = leafData ? ends[k - 1] : ends[k - 1] + 1; j < ends[k]; j++) right += size(j);
    for (;;) {
      const leftEnd = ends[k - 1];
      if (leftEnd - leftStart < 2) break;
      // Moving one cell right: leafData moves the left page's last cell; otherwise
      // the old divider joins the right page and the left page's last cell becomes divider.
      const gained = leafData ? size(leftEnd - 1) : size(leftEnd);
      const lost = size(leftEnd - 1);
      if (right + gained > capacity || right + gained > left - lost) break;
      ends[k - 1]--;
      right += gained;
      left -= lost;
    }
  }
  return ends;
}
