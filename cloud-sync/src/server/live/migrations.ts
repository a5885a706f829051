/**
 * Live views across cloud processes (issue 12, deliver 5): writes that change a live view
 * notify `campus_live` with the view's topic at their commit, whatever code path made them
 * (function bodies on one line: migrate() splits statements at a line-ending semicolon).
 */
export const LIVE_MIGRATIONS = [
  {
    id: 10,
    name: 'live views: edges and bus positions notify campus_live',
    sql: `
CREATE FUNCTION campus_live_edges() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('campus_live', 'edges:' || NEW.school_id); RETURN NULL; END $$;
CREATE TRIGGER edges_live AFTER INSERT OR UPDATE ON edges FOR EACH ROW EXECUTE FUNCTION campus_live_edges();
CREATE FUNCTION campus_live_bus_positions() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('campus_live', 'bus:' || s.school_id) FROM (SELECT DISTINCT school_id FROM fresh) AS s; RETURN NULL; END $$;
CREATE TRIGGER bus_positions_live AFTER INSERT ON bus_positions REFERENCING NEW TABLE AS fresh FOR EACH STATEMENT EXECUTE FUNCTION campus_live_bus_positions();
`,
  },
];
